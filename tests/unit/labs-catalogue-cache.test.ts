// The lab catalogue is parsed once per state of its files: `labs.list` and `system.doctor` asked for all of
// it on every call, at ~100–270 ms of the helper's thread. A file changed, added or removed is read again.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labsDir, loadLabs } from '../../electron/helper/labs/catalogue.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the shipped catalogue to change. */
function copyOfShipped(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-labs-'));
  dirs.push(dir);
  for (const f of readdirSync(labsDir())) if (f.endsWith('.yaml')) copyFileSync(join(labsDir(), f), join(dir, f));
  return dir;
}

describe('loadLabs', () => {
  it('answers a second call from what the first parsed, in a new array', () => {
    const dir = copyOfShipped();
    const first = loadLabs(dir);
    const second = loadLabs(dir);
    expect(second).not.toBe(first);
    expect(second).toHaveLength(first.length);
    second.forEach((l, i) => expect(l).toBe(first[i]));
  });

  it('reads a changed file again', () => {
    const dir = copyOfShipped();
    const before = loadLabs(dir);
    const victim = before[before.length - 1]!;
    const file = join(dir, `${victim.lab.id}.yaml`);
    const text = readFileSync(file, 'utf8');
    // the first line with an English text, whatever its key
    const changed = text.replace(/^(\s+en:\s*).*$/m, '$1A changed text');
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const future = new Date(Date.now() + 5_000);
    utimesSync(file, future, future); // a different mtime even on a coarse clock
    const after = loadLabs(dir).find((l) => l.lab.id === victim.lab.id)!;
    expect(after).not.toBe(victim);
    expect(JSON.stringify(after.lab)).toContain('A changed text');
  });

  it('drops a removed file, and a broken file is reported (never answered from the earlier parse)', () => {
    const dir = copyOfShipped();
    const before = loadLabs(dir);
    // the last lab in the order: no other lab requires it
    const last = before[before.length - 1]!.lab.id;
    unlinkSync(join(dir, `${last}.yaml`));
    expect(loadLabs(dir).map((l) => l.lab.id)).not.toContain(last);
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nlevel: [\n');
    expect(() => loadLabs(dir)).toThrow(/broken\.yaml/);
  });
});
