// The checklist catalogue is data validated by a schema; the report's published JSON Schema is generated
// from the same zod schema (NSLAB_UPDATE_SCHEMA=1 rewrites it), and bad catalogues are refused by line.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditReport, Catalogue, ITEM_IDS } from '../../electron/shared/audit/schema.js';
import { loadCatalogue } from '../../electron/helper/audit/catalogue.js';
import { parseYamlWith } from '../../electron/helper/yaml.js';
import { printAudit } from '../../electron/cli/commands/audit.js';

const SCHEMA = new URL('../../resources/audit/report.schema.json', import.meta.url);

describe('audit catalogue', () => {
  const c = loadCatalogue();
  it('covers every item of the checklist, 1-1 … 5-3, in order', () => expect(c.items.map((i) => i.id)).toEqual([...ITEM_IDS]));
  it('automates at least 12 of the 20 items', () => expect(c.items.filter((i) => i.checks.some((k) => k.probe.kind !== 'guidance')).length).toBeGreaterThanOrEqual(12));
  it('has English and Korean for every title and fix', () => {
    for (const item of c.items) for (const k of item.checks) expect(k.title.ko.length * k.fix.ko.length * k.title.en.length).toBeGreaterThan(0);
  });
  it('refuses a probe that is a shell string, naming the line', () => {
    const bad = 'version: 1\nsource: x\nitems:\n  - id: "1-1"\n    title: { en: a, ko: b }\n    checks:\n      - id: x\n        title: { en: a, ko: b }\n        probe: { kind: shell, command: "cat /etc/shadow" }\n        fix: { en: a, ko: b }\n';
    expect(() => parseYamlWith(Catalogue, bad, 'bad.yaml')).toThrow(/bad\.yaml:9: items\.0\.checks\.0\.probe/);
  });
  it('refuses a catalogue that leaves items out', () => {
    const r = Catalogue.safeParse({ version: 1, source: 'x', items: [] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/item 1-1 of the checklist is missing/);
  });
});

describe('audit report schema', () => {
  it('is published as JSON Schema and up to date', () => {
    const generated = `${JSON.stringify(z.toJSONSchema(AuditReport, { target: 'draft-7' }), null, 2)}\n`;
    if (process.env.NSLAB_UPDATE_SCHEMA === '1') writeFileSync(SCHEMA, generated);
    expect(readFileSync(SCHEMA, 'utf8')).toBe(generated);
  });
  it('prints a report in either language', () => {
    const report = AuditReport.parse({
      at: '2026-12-01T00:00:00Z', mode: 'host', root: true, targets: ['web'], unseen: [],
      items: [{ id: '1-6', title: { en: 'Resource control', ko: '자원 통제' }, status: 'fail', automated: true, results: [{ check: 'memory-limit', title: { en: 'A memory limit', ko: '메모리 제한' }, target: 'container:web', status: 'fail', evidence: 'no memory limit', fix: { en: 'Give --memory', ko: '--memory 지정' }, cis: '5.10' }] }],
      summary: { pass: 0, fail: 1, na: 0, guidance: 0, automatedItems: 1 },
    });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (lines.push(s), true)) as typeof process.stdout.write;
    try {
      printAudit(report, 'ko');
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join('')).toMatch(/\[FAIL\] 1-6 자원 통제[\s\S]*CIS 5\.10[\s\S]*fix: --memory 지정/);
  });
});
