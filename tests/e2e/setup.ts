// What every e2e test starts from, so none depends on the one before: the app as on a first visit
// (nothing remembered — language, panel, open tabs), and helper calls over the relay for the state a test
// needs before it starts clicking (and for putting things back after it).
import { expect } from 'vitest';
import type { RpcSocket } from '../support/serve.js';
import type { Browser } from './browser.js';

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

