// The Dockernet panel end to end: `nslab serve` (real helper, real kernel, as root) + Debian's Chromium. Brings
// a dockernet up from the panel's form (a bad --publish refused first, nothing sent), reads its objects with
// their why (Korean too), opens a DNAT rule in the Firewall panel (the rule highlighted, its counter shown),
// then takes it down after confirming. afterAll downs it and gc's this test's ledger whatever state a test
// died in, then compares the kernel with before.
import { describe, expect, it } from 'vitest';
import { kernelState } from '../support/cli.js';
import { must, servedApp, tryCall } from './setup.js';

const NAME = 'edk';
let before = '';

const app = servedApp({
  name: 'dockernet',
  before: () => void (before = kernelState()),
  tearDown: async (a) => void (await tryCall(a.rpc, 'dockernet.down', { name: NAME })),
  check: (said) => expect(kernelState(), said).toBe(before),
});
const { page, byTest } = app;

const applied = async () => (await must<{ applied: { name: string }[] }>(app.rpc, 'topology.list')).applied.map((t) => t.name);

describe('the Dockernet panel in the browser', () => {
  it('brings a dockernet up from the form: a bad --publish is refused first, then every object says why', async () => {
    await app.open();
    await byTest('nav-dockernet').click();
    await byTest('dockernet-form').waitFor({ timeout: 20_000 });
    await byTest('dockernet-name').fill(NAME);
    await byTest('dockernet-publish').fill('8080:c1');
    await byTest('dockernet-up').click();
    await expect.poll(() => byTest('dockernet-problem').innerText()).toMatch(/8080:c1: expected HOST:CONTAINER:PORT/);
    expect(await applied()).not.toContain(`dockernet-${NAME}`); // nothing was sent
    await byTest('dockernet-publish').fill('8080:c1:80');
    await byTest('dockernet-up').click();
    await byTest(`dockernet-node-${NAME}-host`).waitFor({ timeout: 30_000 });
    const host = await byTest(`dockernet-node-${NAME}-host`).innerText();
    expect(host).toContain('dockerd creates the docker0 bridge at start-up');
    expect(host).toContain('docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80');
    expect(host).toContain('-t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    expect(await applied()).toContain(`dockernet-${NAME}`);
  });

  it('the same objects in Korean', async () => {
    await byTest('language').selectOption('ko');
    await expect.poll(() => byTest(`dockernet-node-${NAME}-host`).innerText(), { timeout: 10_000 }).toContain('dockerd는 시작할 때 docker0 브리지를 만듭니다');
    await byTest('language').selectOption('en');
  });

  it('a DNAT rule opens the Firewall panel on that rule, with its counter', async () => {
    const rows = byTest('dockernet-object-rule');
    const n = await rows.count();
    let clicked = false;
    for (let i = 0; i < n && !clicked; i++) {
      if ((await rows.nth(i).innerText()).includes('--to-destination 172.17.0.2:80')) {
        await rows.nth(i).locator('button').click();
        clicked = true;
      }
    }
    expect(clicked).toBe(true);
    await byTest('fw-rules').waitFor({ timeout: 20_000 });
    const focused = page().locator('[data-testid="fw-rules"] tr.focus');
    await expect.poll(() => focused.count()).toBe(1);
    expect(await focused.innerText()).toMatch(/--to-destination 172\.17\.0\.2:80/);
    expect(await focused.innerText()).toMatch(/\b\d+\b/); // the packet counter beside it
  });

  it('down is asked first, then removes everything it made', async () => {
    await byTest('nav-dockernet').click();
    await byTest(`dockernet-down-${NAME}`).click();
    await byTest('dockernet-down-confirm-cancel').click();
    expect(await applied()).toContain(`dockernet-${NAME}`);
    await byTest(`dockernet-down-${NAME}`).click();
    await byTest('dockernet-down-confirm-confirm').click();
    await byTest('dockernet-empty').waitFor({ timeout: 30_000 });
    expect(await applied()).not.toContain(`dockernet-${NAME}`);
  });
});
