import { describe, expect, it } from 'vitest';
import { en, ko } from '../../renderer/src/i18n';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)));
}
function leaves(obj: object): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : leaves(v as object)));
}
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('locales', () => {
  it('en and ko have exactly the same keys', () => {
    expect(keys(ko).sort()).toEqual(keys(en).sort());
    expect(keys(en).length).toBeGreaterThan(100);
  });

  it('every message is non-empty and uses the same placeholders in both languages', () => {
    const koFlat = new Map(keys(ko).map((k) => [k, k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], ko) as string]));
    for (const k of keys(en)) {
      const e = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], en) as string;
      const kv = koFlat.get(k)!;
      expect(e.trim(), k).not.toBe('');
      expect(kv.trim(), k).not.toBe('');
      expect(placeholders(kv), k).toEqual([...new Set(placeholders(e))].sort());
    }
  });

  it('ko is really Korean: most sentences contain Hangul', () => {
    const long = leaves(ko).filter(([, v]) => v.length > 12);
    const hangul = long.filter(([, v]) => /[\uac00-\ud7a3]/.test(v));
    expect(hangul.length / long.length).toBeGreaterThan(0.9);
  });
});
