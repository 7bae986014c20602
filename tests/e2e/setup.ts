// What every e2e test starts from, so none depends on the one before: `nslab serve` on a ledger of the
// file's own, the tests' own line to the helper over the relay, Chromium with no console errors after each
// test, and afterwards everything taken down, gc'd and the kernel checked (servedApp); the app as on a first
// visit (openApp: nothing remembered — language, panel, open tabs); helper calls over the relay for the state
// a test needs before it starts clicking (and for putting things back after it); the form and terminal steps
// several files take.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { nslab, type CliResult } from '../support/cli.js';
import { connectRpc, startServe, type RpcSocket, type ServeHandle, type ServeOptions } from '../support/serve.js';
import { openBrowser, type Browser } from './browser.js';

/** Opens the app at `url` with empty local and session storage, once the helper says it is ready. */
export async function openApp(browser: Browser, url: string): Promise<void> {
  const page = browser.page;
  await page.goto(url);
  await page.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  await page.reload();
  await expect.poll(() => page.locator('[data-testid="status-helper"]').innerText(), { timeout: 20_000 }).toMatch(/ready/);
}

/** A helper call that must succeed: its result, or the helper's error thrown. */
export async function must<T = unknown>(rpc: RpcSocket, method: string, params: unknown = {}): Promise<T> {
  const reply = await rpc.call(method, params);
  if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

/** A helper call for clean-up: whatever it answers (the thing may already be gone). */
export async function tryCall(rpc: RpcSocket | undefined, method: string, params: unknown = {}): Promise<void> {
  await rpc?.call(method, params).catch(() => undefined);
}

/** Which of these namespaces exist now (`ip netns list`): what a file checks it did not leave behind. */
export function netnsPresent(names: readonly string[]): string[] {
  const listed = new Set(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!));
  return names.filter((n) => listed.has(n));
}

/** One browser for a whole file: opened before the first test, no console or page error after each, closed after the last. */
export interface FileBrowser {
  readonly browser: Browser;
  page(): Page;
  byTest(id: string): Locator;
  /** What the visible terminal shows, as xterm.js renders it. */
  screenText(): Promise<string>;
  /** Types a line into the visible terminal and presses Enter. */
  typeLine(text: string): Promise<void>;
}

function fileBrowser(get: () => Browser | undefined): FileBrowser {
  const browser = (): Browser => {
    const b = get();
    if (!b) throw new Error('the browser is not open (the file’s beforeAll failed)');
    return b;
  };
  const page = (): Page => browser().page;
  return {
    get browser() {
      return browser();
    },
    page,
    byTest: (id) => page().locator(`[data-testid="${id}"]`),
    screenText: () => page().locator('.terminal-host .xterm-rows').innerText(),
    typeLine: async (text) => {
      await page().locator('.terminal-host .xterm').click();
      await page().keyboard.type(text);
      await page().keyboard.press('Enter');
    },
  };
}

/** The console errors and page errors since the last test, less those the test said to expect. */
const problemsSince = (browser: Browser, expected: RegExp | null | undefined): string[] => browser.problems.splice(0).filter((p) => !expected?.test(p));

/**
 * A file's browser, for a file that starts its own server (sandbox.e2e.ts): registered after that file's
 * own hooks, it opens after the server is up and closes before it is stopped.
 */
export function browserForThisFile(opts: { expectedProblem?(): RegExp | null } = {}): FileBrowser {
  let browser: Browser | undefined;
  beforeAll(async () => void (browser = await openBrowser()));
  afterEach(() => void (browser && expect(problemsSince(browser, opts.expectedProblem?.())).toEqual([])));
  afterAll(async () => void (await browser?.close()));
  return fileBrowser(() => browser);
}

export interface ServedApp extends FileBrowser {
  /** The file's own ledger: NSLAB_STATE_DIR of its `nslab serve` and of `app.nslab`. */
  readonly stateDir: string;
  /** The running `nslab serve` (a test that restarts it sets the new one). */
  serve: ServeHandle;
  /** The tests' own line to the helper over the relay (a test that reconnects sets the new one). */
  rpc: RpcSocket;
  /** Opens the app afresh on this serve (openApp). */
  open(): Promise<void>;
  /** `nslab ARGS` on this file's ledger, as a user runs it: its exit code and output, never a throw. */
  nslab(args: string[]): Promise<CliResult>;
}

export interface ServedAppOptions {
  /** Names the ledger directory (nslab-e2e-NAME-…). */
  name: string;
  serve?: Omit<ServeOptions, 'stateDir'>;
  /** First of all: record the kernel, or refuse to run over what another test has up. */
  before?(): unknown;
  /** Once serve, the relay line and the browser are up: the state every test starts from (a lab, a topology). */
  setUp?(app: ServedApp): Promise<unknown>;
  /** Console errors the current test said to expect (reset them in a beforeEach). */
  expectedProblem?(): RegExp | null;
  /** After the last test, while serve still runs: take down what the tests made; what it returns goes into `said`. */
  tearDown?(app: ServedApp): Promise<string | void>;
  /**
   * Last, once serve is stopped, `nslab gc` has run on this ledger and the ledger is gone: what must be true
   * of the kernel now. `said` is what tearDown and gc printed, for the failure message.
   */
  check?(said: string): unknown;
}

/** Registers the file's beforeAll / afterEach / afterAll around `nslab serve` and Chromium; see ServedAppOptions. */
export function servedApp(opts: ServedAppOptions): ServedApp {
  const stateDir = mkdtempSync(join(tmpdir(), `nslab-e2e-${opts.name}-`));
  let serve: ServeHandle | undefined;
  let rpc: RpcSocket | undefined;
  let browser: Browser | undefined;
  const up = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not up (the file’s beforeAll failed)`);
    return value;
  };
  const shown = fileBrowser(() => browser);
  const app: ServedApp = {
    page: shown.page,
    byTest: shown.byTest,
    screenText: shown.screenText,
    typeLine: shown.typeLine,
    stateDir,
    get browser() {
      return up(browser, 'the browser');
    },
    get serve() {
      return up(serve, 'nslab serve');
    },
    set serve(s) {
      serve = s;
    },
    get rpc() {
      return up(rpc, 'the relay line');
    },
    set rpc(r) {
      rpc = r;
    },
    open: () => openApp(app.browser, app.serve.url),
    nslab: (args) => nslab(stateDir, args),
  };

  beforeAll(async () => {
    await opts.before?.();
    serve = await startServe({ ...opts.serve, stateDir });
    rpc = await connectRpc(serve.wsUrl);
    browser = await openBrowser();
    await opts.setUp?.(app);
  });

  afterEach(() => void (browser && expect(problemsSince(browser, opts.expectedProblem?.())).toEqual([])));

  afterAll(async () => {
    await browser?.close();
    let said = '';
    if (serve && rpc && opts.tearDown) said = await opts.tearDown(app).then((s) => (s ? `${s}; ` : ''), (e: unknown) => `tearDown failed: ${String(e)}; `);
    rpc?.close();
    await serve?.stop();
    // Whatever state a test died in: the ledger knows what this file made, and gc removes exactly that.
    const gc = await nslab(stateDir, ['gc']).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }));
    rmSync(stateDir, { recursive: true, force: true });
    await opts.check?.(`${said}gc said: ${gc.stdout}${gc.stderr}`);
  });

  return app;
}

/** Waits for an action's done note, or fails with its error. */
export async function finished(page: Page, button: string): Promise<void> {
  await page.locator(`[data-testid="${button}-done"], [data-testid="${button}-error"]`).first().waitFor({ timeout: 20_000 });
  const error = page.locator(`[data-testid="${button}-error"]`);
  if (await error.count()) throw new Error(`${button}: ${await error.innerText()}`);
}

/** Fills a form and presses its button; `confirm` names the dialog a destructive action asks first. */
export async function submit(page: Page, form: string, fields: Record<string, string>, button: string, confirm?: string): Promise<void> {
  for (const [id, value] of Object.entries(fields)) {
    const el = page.locator(`[data-testid="${id}"]`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
  await page.locator(`[data-testid="${button}"]`).click();
  if (confirm) await page.locator(`[data-testid="${confirm}-confirm"]`).click();
  await finished(page, button).catch((e: Error) => {
    throw new Error(`${form}: ${e.message}`);
  });
}

/** RED ⇄ BLUE built by clicking in the Topology panel (which must be open): two namespaces, a veth, 10.0.0.1/24 and .2/24; the graph shows both and the link. */
export async function buildRedBlue(page: Page): Promise<void> {
  const byTest = (id: string): Locator => page.locator(`[data-testid="${id}"]`);
  await submit(page, 'namespace red', { 'ns-name': 'red' }, 'ns-create');
  await byTest('node-item-red').waitFor();
  await submit(page, 'namespace blue', { 'ns-name': 'blue' }, 'ns-create');
  await byTest('node-item-blue').waitFor();
  await submit(page, 'veth', { 'veth-from': 'red', 'veth-from-if': 'veth-red', 'veth-to': 'blue', 'veth-to-if': 'veth-blue' }, 'veth-create');
  for (const [node, dev, addr] of [['red', 'veth-red', '10.0.0.1/24'], ['blue', 'veth-blue', '10.0.0.2/24']] as const) {
    await byTest('addr-node').selectOption(node);
    // The new interface shows up once the helper's topology.changed has brought a fresh snapshot.
    await expect.poll(() => page.locator(`[data-testid="addr-dev"] option[value="${dev}"]`).count(), { timeout: 10_000 }).toBe(1);
    await submit(page, `address ${node}`, { 'addr-dev': dev, 'addr-value': addr }, 'addr-add');
  }
  const graph = byTest('topology-graph');
  await expect.poll(async () => (await graph.getAttribute('data-nodes'))?.split(',') ?? [], { timeout: 10_000 }).toEqual(expect.arrayContaining(['red', 'blue']));
  await expect.poll(async () => (await graph.getAttribute('data-edges'))?.split(',') ?? [], { timeout: 10_000 }).toEqual(
    expect.arrayContaining([expect.stringMatching(/^ns:(red—ns:blue|blue—ns:red)$/)]),
  );
}
