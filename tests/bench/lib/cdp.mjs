// A minimal Chrome DevTools Protocol driver over --remote-debugging-pipe, for benchmarks that must not be
// measured through DevTools itself. Playwright enables the Network domain on every page, and Chromium then
// copies every WebSocket frame's payload to the DevTools client — on the page's main thread, the very thread
// a terminal benchmark measures (it cost the browser leg ~30 % of its throughput). This driver enables only
// Runtime (to evaluate and to hear page errors) and sends input as real browser input events.
import { spawn } from 'node:child_process';

export async function launchChromium({ executable, userDataDir, args = [] }) {
  const child = spawn(executable, [...args, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const [toBrowser, fromBrowser] = [child.stdio[3], child.stdio[4]];
  const pending = new Map();
  const listeners = new Set();
  let nextId = 0;
  let buffered = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const waiting = pending.get(message.id);
      if (waiting) {
        pending.delete(message.id);
        if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
        else waiting.resolve(message.result);
      } else if (message.method) for (const l of listeners) l(message);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => {
    for (const w of pending.values()) w.reject(new Error(`chromium exited before answering ${w.method}`));
    pending.clear();
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });

  return {
    /** Opens a tab at `url`, sized like a window of width × height. */
    async open(url, { width, height }) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const call = (method, params) => send(method, params, sessionId);
      const errors = [];
      listeners.add((m) => {
        if (m.sessionId === sessionId && m.method === 'Runtime.exceptionThrown') {
          const d = m.params.exceptionDetails;
          errors.push(d.exception?.description ?? d.text);
        }
      });
      await call('Runtime.enable');
      await call('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
      await call('Page.navigate', { url });
      const evaluate = async (expression) => {
        const r = await call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
        return r.result.value;
      };
      const key = async (key, code, keyCode, text) => {
        await call('Input.dispatchKeyEvent', { type: 'keyDown', key, code, windowsVirtualKeyCode: keyCode, ...(text ? { text } : {}) });
        await call('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: keyCode });
      };
      return {
        errors,
        evaluate,
        /** Polls `expression` in the page until it is truthy. */
        async waitFor(expression, { timeout = 10_000, what = expression } = {}) {
          const end = Date.now() + timeout;
          for (;;) {
            if (await evaluate(expression).catch(() => false)) return;
            if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        /** Text as the keyboard's input method would insert it. */
        insertText: (text) => call('Input.insertText', { text }),
        pressEnter: () => key('Enter', 'Enter', 13, '\r'),
        /** A lowercase letter, as keydown + keypress + keyup. */
        pressLetter: (c) => key(c, `Key${c.toUpperCase()}`, c.toUpperCase().charCodeAt(0), c),
      };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await send('Browser.close').catch(() => undefined);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
}
