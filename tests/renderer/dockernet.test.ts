// The Dockernet panel against a scripted api: the form's options go to dockernet.up as the contract has
// them (a bad --publish is shown, nothing sent), every object is listed with its why in the UI's language,
// down is asked first, and a rule opens the Firewall panel on that very rule.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { DockernetObject, FwRuleset, Result } from '../../electron/shared/contract/index';
import { dockernetWhy } from '../../electron/shared/dockernet/why';
import { createAppI18n } from '../../renderer/src/i18n';
import DockernetPanel from '../../renderer/src/panels/Dockernet/DockernetPanel.vue';
import { ruleWords, sameRule } from '../../renderer/src/panels/Dockernet/ruleMatch';
import { useFirewallStore } from '../../renderer/src/stores/firewall';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi } from './fake-api';

function mountWith(locale: 'en' | 'ko' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useUiStore().setLocale(locale);
  useUiStore().setConfirmDestructive(true);
  return mount(DockernetPanel as never, { global: { plugins: [pinia, createAppI18n(locale)] }, attachTo: document.body });
}

const object = (o: Omit<DockernetObject, 'why' | 'whyKo' | 'whyKey'>, key: Parameters<typeof dockernetWhy>[0], params: Record<string, string> = {}): DockernetObject => {
  const w = dockernetWhy(key, params);
  return { ...o, why: w.en, whyKo: w.ko, whyKey: w.key };
};
const SHOW: Result<'dockernet.show'> = {
  name: 'dk',
  engine: '20.10',
  network: 'bridge',
  rules: '*nat\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n',
  objects: [
    object({ kind: 'link', node: 'dk-host', text: 'docker0', key: 'docker0' }, 'docker0'),
    object({ kind: 'rule', node: 'dk-host', text: '-t nat -A DOCKER -i docker0 -j RETURN', table: 'nat', chain: 'DOCKER', key: 'rule-nat-DOCKER' }, 'rule.nat-return', { bridge: 'docker0' }),
    object({ kind: 'address', node: 'dk-c1', text: 'eth0 172.17.0.2/16', key: 'ipam' }, 'ipam'),
  ],
};
const fwRule = { id: 'iptables-nft/ip/nat/DOCKER#7', index: 0, handle: 7, iptables: 'iptables -t nat -A DOCKER -i docker0 -m comment --comment nslab:dockernet-dk -j RETURN', words: ['-i', 'docker0', '-m', 'comment', '--comment', 'nslab:dockernet-dk', '-j', 'RETURN'], nft: null, target: 'RETURN', comment: 'nslab:dockernet-dk', owner: 'dockernet-dk', packets: 4, bytes: 240 };
const RULESET: FwRuleset = {
  node: 'dk-host', netns: 'nslab-dk-host', iptablesBackend: 'nf_tables', legacyTables: false, writable: true,
  tables: [{ source: 'iptables-nft', family: 'ip', name: 'nat', handle: 1, sets: [], chains: [{ name: 'DOCKER', handle: 2, type: null, hook: null, priority: null, policy: null, packets: null, bytes: null, rules: [fwRule] }] }],
};

function api(up = false) {
  let isUp = up;
  return fakeApi({
    'topology.list': () => ({ applied: isUp ? [{ name: 'dockernet-dk', nodes: ['dk-host', 'dk-c1'], appliedAt: '2026-12-02T00:00:00Z' }] : [], builtin: [] }),
    'dockernet.show': () => SHOW,
    'dockernet.up': (p) => {
      isUp = true;
      return { name: (p as { name: string }).name, created: ['nslab-dk-host'], ms: 120 };
    },
    'dockernet.down': () => {
      isUp = false;
      return { name: 'dk', removed: ['nslab-dk-host'] };
    },
    'fw.show': () => RULESET,
    'fw.watch': () => ({ watching: ['nslab-dk-host'], interval: 1000 }),
    'fw.unwatch': () => ({ watching: [] }),
  });
}

describe('Dockernet panel', () => {
  it('brings a dockernet up with the form’s options and lists every object with why, in English', async () => {
    const a = api();
    const w = mountWith();
    await flushPromises();
    expect(w.find('[data-testid="dockernet-empty"]').exists()).toBe(true);
    await w.find('[data-testid="dockernet-publish"]').setValue('8080:c1:80,9090:c2:90');
    await w.find('[data-testid="dockernet-engine"]').setValue('28');
    await w.find('form').trigger('submit');
    await flushPromises();
    const up = a.calls.find((c) => c.method === 'dockernet.up');
    expect(up?.params).toMatchObject({ name: 'dk', containers: ['c1', 'c2'], engine: '28', network: 'bridge', hosts: 1, httpd: ['c1'], publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }, { hostPort: 9090, container: 'c2', containerPort: 90 }] });
    const objects = w.find('[data-testid="dockernet-objects"]');
    expect(objects.find('[data-testid="dockernet-node-dk-host"]').text()).toContain('dockerd creates the docker0 bridge at start-up');
    expect(objects.find('[data-testid="dockernet-object-rule"]').text()).toContain('Traffic from containers on docker0 is never DNATed');
    expect(objects.find('[data-testid="dockernet-node-dk-c1"]').text()).toContain('172.17.0.2/16');
    w.unmount();
  });

  it('a bad --publish is shown under the form and nothing is sent', async () => {
    const a = api();
    const w = mountWith();
    await flushPromises();
    await w.find('[data-testid="dockernet-publish"]').setValue('80:c1');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="dockernet-problem"]').text()).toContain('80:c1: expected HOST:CONTAINER:PORT');
    await w.find('[data-testid="dockernet-publish"]').setValue('8080:c9:80');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="dockernet-problem"]').text()).toContain('c9'); // the contract: an unknown container
    expect(a.calls.some((c) => c.method === 'dockernet.up')).toBe(false);
    w.unmount();
  });

  it('the sentences follow the UI language', async () => {
    api(true);
    const w = mountWith('ko');
    await flushPromises();
    expect(w.find('[data-testid="dockernet-objects"]').text()).toContain('dockerd는 시작할 때 docker0 브리지를 만듭니다');
    expect(w.find('[data-testid="dockernet-objects"]').text()).toContain('Docker가 만든 이유');
    w.unmount();
  });

  it('down asks first', async () => {
    const a = api(true);
    const w = mountWith();
    await flushPromises();
    await w.find('[data-testid="dockernet-down-dk"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'dockernet.down')).toBe(false);
    await w.find('[data-testid="dockernet-down-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'dockernet.down' && (c.params as { name: string }).name === 'dk')).toBe(true);
    expect(w.find('[data-testid="dockernet-empty"]').exists()).toBe(true);
    w.unmount();
  });

  it('a rule opens the Firewall panel on that rule (its counter beside it)', async () => {
    api(true);
    const w = mountWith();
    await flushPromises();
    await w.find('[data-testid="dockernet-object-rule"] button').trigger('click');
    await flushPromises();
    expect(useUiStore().panel).toBe('firewall');
    expect(useFirewallStore().focusRule).toBe(fwRule.id);
    expect(useFirewallStore().openChain).toBe('iptables-nft/ip/nat/DOCKER');
    w.unmount();
  });
});

describe('dockernet rule ↔ firewall rule', () => {
  it('matches on table, chain and words with nslab’s comment set aside; an insert position is not a word', () => {
    expect(ruleWords('-t filter -I DOCKER-USER 1 -s 172.19.0.0/16 -o docker0 -j ACCEPT')).toEqual(['-s', '172.19.0.0/16', '-o', 'docker0', '-j', 'ACCEPT']);
    const o = { text: '-t nat -A DOCKER -i docker0 -j RETURN', table: 'nat', chain: 'DOCKER' };
    expect(sameRule(o, 'nat', 'DOCKER', fwRule)).toBe(true);
    expect(sameRule(o, 'filter', 'DOCKER', fwRule)).toBe(false);
    expect(sameRule({ ...o, text: '-t nat -A DOCKER -i br-x -j RETURN' }, 'nat', 'DOCKER', fwRule)).toBe(false);
  });
});
