// Terminals in the browser, measured in one run against its baseline:
//   raw      — node-pty straight (encoding: null), the ceiling (the same leg as pty.bench.mjs)
//   browser  — the same 100 MB through the whole product: helper (decode, batch, flow control) → relay →
//              WebSocket → the renderer's store → xterm.js in Debian's Chromium, acknowledged from xterm's
//              write callback. Driven like a user: open a terminal in the Terminals panel, type the command
//              (`exec …`, so the shell ends with it), time until the tab says the shell exited.
// The browser leg runs twice per round, once with each of xterm's renderers: DOM (the "Draw with DOM"
// setting) and WebGL (the default where a WebGL2 context can be made; headless Chromium here has no GPU, so
// its WebGL is ANGLE on SwiftShader, software GL on the CPU — the bench reports the GL renderer string, and
// sets WebGL explicitly: the default, auto, keeps DOM on software GL).
// Each terminal is opened on DOM (its prompt is read from xterm's DOM rows), then switched to the leg's
// renderer before the flood is typed, and checked to draw with it (data-renderer on xterm's element).
// plus keystroke echo latency (DOM renderer: it is read from the DOM rows) in one tab while another tab floods (measured inside the page, from the
// keydown event to the echoed character in xterm's DOM), and the peak RSS of `nslab serve` (which runs the
// helper in-process). Chromium is driven over a bare DevTools pipe (lib/cdp.mjs), not Playwright: with
// Playwright's Network domain on, Chromium mirrors every WebSocket frame to DevTools on the page's main
// thread, and the benchmark would measure that. Needs `npm run build` (out/renderer) and root (a network
// namespace for the shells).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchChromium } from './lib/cdp.mjs';
import { startServe } from './lib/serve.mjs';
import { measure, printMeasures, shown } from './lib/measures.mjs';
import { MB, PAYLOAD, raw } from './pty.bench.mjs';

const NODE = 'tbench';
const RUNS = 3;
const ECHO_SAMPLES = 100;
const CHROMIUM = process.env.NSLAB_CHROMIUM ?? '/usr/bin/chromium';
const TARGETS = { ratio: 0.5, stretch: 0.8, p95Ms: 50 };
// The WebGL leg floods a third of the payload (25 MB of urandom, ~33 MB of base64): on software GL it runs
// at a tenth of the DOM leg's speed, and a rate needs no more to settle. Its MB/s uses the same bytes per
// input byte as the raw leg's payload.
const WEBGL_INPUT = 25_000_000;
const WEBGL_PAYLOAD = `head -c ${WEBGL_INPUT} /dev/urandom | base64`;
const WEBGL_SHARE = WEBGL_INPUT / 75_000_000;
const run = promisify(execFile);

const nslab = (stateDir, args) => run(process.execPath, ['bin/nslab.mjs', ...args], { env: { ...process.env, NSLAB_STATE_DIR: stateDir }, timeout: 30_000 });
const peakRss = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const q = (selector) => `document.querySelector(${JSON.stringify(selector)})`;
const testId = (id) => q(`[data-testid="${id}"]`);
const ACTIVE_TAB = '[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]';
const ROWS = '.terminal-host .xterm-rows';

/** Opens a terminal on NODE as a user would (choose the node, click "Open terminal"), waits for its prompt; returns its id. */
async function openTerminal(page) {
  const before = await page.evaluate(`document.querySelectorAll('[data-testid^="terminal-tab-"]').length`);
  await page.evaluate(`(() => { const s = ${testId('terminal-node')}; s.value = ${JSON.stringify(NODE)}; s.dispatchEvent(new Event('change')); })()`);
  await page.waitFor(`!${testId('open-node')}.disabled`);
  await page.evaluate(`${testId('open-node')}.click()`);
  await page.waitFor(`document.querySelectorAll('[data-testid^="terminal-tab-"]').length === ${before + 1}`, { what: 'a new terminal tab' }).catch(async (e) => {
    throw new Error(`${e.message}: ${await page.evaluate(`${testId('terminals-error')}?.innerText ?? ''`)}`);
  });
  await page.waitFor(`/[#$]\\s*$/m.test(${q(ROWS)}?.textContent ?? '')`, { what: 'the shell prompt' });
  return (await page.evaluate(`${q(ACTIVE_TAB)}.getAttribute('data-testid')`)).replace('terminal-tab-', '');
}

/** Focuses the active terminal and types `text` (without Enter). */
async function typeLine(page, text) {
  await page.evaluate(`${q('.terminal-host .xterm-helper-textarea')}.focus()`);
  await page.insertText(text);
}

const closeTab = (page, id) => page.evaluate(`${testId(`terminal-close-${id}`)}.click()`);

const RENDERER = testId('terminal-renderer');
/** Sets the Terminals panel's renderer setting (auto, dom, webgl) as a user would, in its select. */
async function setRenderer(page, choice) {
  await page.evaluate(`(() => { const s = ${RENDERER}; if (s.value !== ${JSON.stringify(choice)}) { s.value = ${JSON.stringify(choice)}; s.dispatchEvent(new Event('change')); } })()`);
}
const drawnWith = (page) => page.evaluate(`document.querySelector('.terminal-host .xterm')?.getAttribute('data-renderer') ?? null`);

/** The GL renderer Chromium gives a page (WEBGL_debug_renderer_info), or why there is none. */
const glRenderer = (page) =>
  page.evaluate(`(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'no WebGL2 context';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  })()`);

/** A software GL renderer string: the one renderer/src/terminal/gpu.ts counts as no GPU (its SOFTWARE_GL). */
const softwareGl = (gl) => /swiftshader|llvmpipe|softpipe|lavapipe|software/i.test(gl);

async function throughBrowser(page, renderer) {
  const id = await openTerminal(page);
  // 'webgl', not 'auto': auto keeps DOM on software GL, and this Chromium has no GPU
  if (renderer === 'webgl') await setRenderer(page, 'webgl');
  const used = await drawnWith(page);
  if (used !== renderer) throw new Error(`the terminal draws with ${used}, not ${renderer}`);
  await typeLine(page, `exec ${PAYLOAD[0]} -c '${renderer === 'webgl' ? WEBGL_PAYLOAD : PAYLOAD[2]}'`);
  const t0 = performance.now();
  await page.pressEnter();
  await page.waitFor(`${testId('terminal-exited')} !== null`, { timeout: 300_000, what: 'the flood to end' });
  const s = (performance.now() - t0) / 1000;
  await setRenderer(page, 'dom'); // the toolbar with the setting is there while a tab is
  await closeTab(page, id);
  return s;
}

async function echoLatency(page) {
  const flood = await openTerminal(page);
  await typeLine(page, 'while :; do head -c 1000000 /dev/urandom | base64; done');
  await page.pressEnter();
  const typing = await openTerminal(page); // the flooding tab keeps running (and parsing) in the background
  await typeLine(page, 'stty -echoctl; cat');
  await page.pressEnter();
  await new Promise((r) => setTimeout(r, 500));
  const samples = [];
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    // Armed before the key is sent: keydown time in the page, then the first change of the rows' text.
    await page.evaluate(`(() => {
      const rows = ${q(ROWS)};
      const before = rows.textContent;
      let t0 = 0;
      document.addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
      window.__echo = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (t0 && rows.textContent !== before) {
            mo.disconnect();
            resolve(performance.now() - t0);
          }
        });
        mo.observe(rows, { subtree: true, childList: true, characterData: true });
      });
    })()`);
    await page.pressLetter(String.fromCharCode(97 + (i % 26)));
    samples.push(await page.evaluate('window.__echo'));
    await new Promise((r) => setTimeout(r, 10));
  }
  // the flood was really running meanwhile: its tab is still alive and has not exited
  const floodAlive = await page.evaluate(`${testId(`terminal-tab-${flood}`)} !== null && ${testId('terminal-exited')} === null`);
  await closeTab(page, typing);
  await closeTab(page, flood);
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p95: samples[Math.floor(samples.length * 0.95) - 1], max: samples.at(-1), floodAlive };
}

export async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'nslab-bench-terminals-'));
  const profile = mkdtempSync(join(tmpdir(), 'nslab-bench-chromium-'));
  let serve;
  let browser;
  try {
    serve = await startServe({ stateDir });
    const url = serve.url;
    await nslab(stateDir, ['rpc', 'net.netns.create', JSON.stringify({ node: NODE })]);
    browser = await launchChromium({
      executable: CHROMIUM,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.open(url, { width: 1400, height: 900 });
    await page.waitFor(`${testId('nav-terminals')} !== null`, { what: 'the app' });
    await page.evaluate(`${testId('nav-terminals')}.click()`);
    await page.waitFor(`[...document.querySelectorAll('[data-testid="terminal-node"] option')].some((o) => o.value === ${JSON.stringify(NODE)})`, { what: `node ${NODE} in the list` });

    const gl = await glRenderer(page);
    console.log(`WebGL in this Chromium: ${gl}`);
    // the setting starts on DOM (each terminal's prompt is read from DOM rows; the WebGL leg switches it):
    // remembered, then read by the page loaded afresh
    await page.evaluate(`localStorage.setItem('nslab.terminals.renderer', 'dom')`);
    await page.evaluate('location.reload()').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await page.waitFor(`${testId('nav-terminals')} !== null`, { what: 'the app after the reload' });
    await page.evaluate(`${testId('nav-terminals')}.click()`);
    await page.waitFor(`[...document.querySelectorAll('[data-testid="terminal-node"] option')].some((o) => o.value === ${JSON.stringify(NODE)})`, { what: `node ${NODE} in the list` });
    const rawRuns = [];
    const browserRuns = [];
    const webglRuns = [];
    for (let i = 0; i < RUNS; i++) {
      rawRuns.push(await raw());
      // alternate which renderer goes first, so neither always follows the raw leg
      for (const r of i % 2 ? ['webgl', 'dom'] : ['dom', 'webgl']) (r === 'dom' ? browserRuns : webglRuns).push(await throughBrowser(page, r));
    }
    const bytes = median(rawRuns.map((r) => r.bytes)); // the same payload through the same kind of pty
    const rawMBs = median(rawRuns.map((r) => r.bytes / r.s / MB));
    const browserMBs = median(browserRuns.map((s) => bytes / s / MB));
    const webglMBs = median(webglRuns.map((s) => (bytes * WEBGL_SHARE) / s / MB));
    const latency = await echoLatency(page);
    const ratio = browserMBs / rawMBs;
    const webglRatio = webglMBs / rawMBs;
    const result = {
      payloadBytes: bytes,
      raw: { MBps: +rawMBs.toFixed(1), seconds: rawRuns.map((r) => +r.s.toFixed(2)) },
      browser: { renderer: 'dom', MBps: +browserMBs.toFixed(1), seconds: browserRuns.map((s) => +s.toFixed(2)) },
      ratio: +ratio.toFixed(2),
      webgl: { renderer: 'webgl', gl, payloadBytes: Math.round(bytes * WEBGL_SHARE), MBps: +webglMBs.toFixed(1), seconds: webglRuns.map((s) => +s.toFixed(2)), ratio: +webglRatio.toFixed(2) },
      echoWhileOtherTabFloodsMs: { p50: +latency.p50.toFixed(1), p95: +latency.p95.toFixed(1), max: +latency.max.toFixed(1), samples: ECHO_SAMPLES },
      floodRanThroughout: latency.floodAlive,
      servePeakRssMB: +(peakRss(serve.child.pid) / MB).toFixed(1),
      targets: { ...TARGETS, ratioMet: ratio >= TARGETS.ratio, stretchMet: ratio >= TARGETS.stretch, webglRatioMet: webglRatio >= TARGETS.ratio, p95Met: latency.p95 < TARGETS.p95Ms },
      pageErrors: page.errors,
    };
    result.measures = [
      measure('browser terminal, DOM renderer, MB/s (baseline: raw node-pty)', { nslab: result.browser.MBps, baseline: result.raw.MBps, ratio: result.ratio, target: TARGETS.ratio, at: 'min' }),
      // The issue's WebGL is "where the GPU allows": on software GL the app's `auto` keeps DOM (gpu.ts), so
      // the row is shown for what it tells, and holds the target only where the GL is a real GPU's.
      softwareGl(gl)
        ? shown(`browser terminal, WebGL renderer forced on ${/SwiftShader/i.test(gl) ? 'SwiftShader' : gl} software GL (no GPU here: auto uses DOM), MB/s (baseline: raw node-pty)`, { nslab: result.webgl.MBps, baseline: result.raw.MBps, ratio: result.webgl.ratio })
        : measure(`browser terminal, WebGL renderer (${gl}), MB/s (baseline: raw node-pty)`, { nslab: result.webgl.MBps, baseline: result.raw.MBps, ratio: result.webgl.ratio, target: TARGETS.ratio, at: 'min' }),
      measure('keystroke echo in a tab while another floods (DOM renderer), p95 ms', { nslab: result.echoWhileOtherTabFloodsMs.p95, target: TARGETS.p95Ms }),
    ];
    console.log(`\nTerminals in the browser (100 MB of base64, median of ${RUNS})`);
    console.table({
      'node-pty raw': { 'MB/s': result.raw.MBps, 'vs raw': 1 },
      'helper → relay → xterm.js DOM (acked)': { 'MB/s': result.browser.MBps, 'vs raw': result.ratio },
      'helper → relay → xterm.js WebGL (acked)': { 'MB/s': result.webgl.MBps, 'vs raw': result.webgl.ratio },
    });
    console.log(`keystroke echo while another tab floods: p50 ${result.echoWhileOtherTabFloodsMs.p50} ms, p95 ${result.echoWhileOtherTabFloodsMs.p95} ms, max ${result.echoWhileOtherTabFloodsMs.max} ms`);
    console.log(`nslab serve (helper in-process) peak RSS: ${result.servePeakRssMB} MB`);
    console.log(`targets: ≥ ${TARGETS.ratio * 100} % of raw ${result.targets.ratioMet ? 'met' : 'MISSED'} (stretch ${TARGETS.stretch * 100} % ${result.targets.stretchMet ? 'met' : 'not met'}), p95 < ${TARGETS.p95Ms} ms ${result.targets.p95Met ? 'met' : 'MISSED'}`);
    printMeasures(result.measures);
    mkdirSync('tests/bench/results', { recursive: true });
    writeFileSync('tests/bench/results/terminals-browser.json', JSON.stringify(result, null, 2) + '\n');
    if (page.errors.length) throw new Error(`the page reported errors: ${page.errors.join('; ')}`);
    return result;
  } finally {
    await browser?.close().catch(() => undefined);
    await nslab(stateDir, ['rpc', 'net.netns.delete', JSON.stringify({ node: NODE })]).catch(() => undefined);
    await serve?.stop();
    await nslab(stateDir, ['gc']).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
