// `nslab dockernet show`: the sentences in the CLI's language (--lang, else LANG), and every explanation
// the helper makes has both languages with its placeholders filled.
import { describe, expect, it } from 'vitest';
import { renderShow, showLang } from '../../electron/cli/commands/dockernet.js';
import { explainObjects } from '../../electron/helper/dockernet/explain.js';
import { planDockernet } from '../../electron/helper/dockernet/plan.js';
import { methods } from '../../electron/shared/contract/index.js';

const params = (p: object) => methods['dockernet.up'].params.parse(p);

describe('dockernet show in both languages', () => {
  it('every object of every mode has an English and a Korean sentence, placeholders filled', () => {
    const scenarios = [
      { containers: ['c1', 'c2'], publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }], httpd: ['c1'] },
      { containers: ['c1'], engine: '28', userNetwork: { containers: ['c3'] } },
      { name: 'm', network: 'macvlan' },
      { name: 'h', network: 'host' },
      { name: 'n', network: 'none' },
      { name: 'v', hosts: 2 },
      { name: 'r', hosts: 2, underlay: 'routing' },
    ];
    for (const s of scenarios) {
      const objects = explainObjects(planDockernet(params(s)));
      expect(objects.length).toBeGreaterThan(3);
      for (const o of objects) {
        expect(o.why.length, o.text).toBeGreaterThan(15);
        expect(o.whyKo, o.text).toMatch(/[가-힣]/);
        expect(`${o.why} ${o.whyKo}`, o.text).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('the CLI prints the sentence of its language: --lang first, then LANG', () => {
    expect(showLang('ko', 'en_US.UTF-8')).toBe('ko');
    expect(showLang(undefined, 'ko_KR.UTF-8')).toBe('ko');
    expect(showLang('en', 'ko_KR.UTF-8')).toBe('en');
    expect(showLang(undefined, undefined)).toBe('en');
    const objects = explainObjects(planDockernet(params({ containers: ['c1'] })));
    const show = { name: 'dk', engine: '20.10' as const, network: 'bridge' as const, objects, rules: '' };
    expect(renderShow(show, 'ko')).toContain('dockerd는 시작할 때 docker0 브리지를 만듭니다');
    expect(renderShow(show, 'en')).toContain('dockerd creates the docker0 bridge at start-up');
    expect(renderShow(show, 'en')).not.toMatch(/[가-힣]/);
  });
});
