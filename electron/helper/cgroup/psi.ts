// Pressure stall information (`cpu.pressure`, `memory.pressure`, `io.pressure`).
import type { Pressure } from '../../shared/contract/cgroup.js';

type Line = Pressure['some'];

function parseLine(line: string | undefined): Line | null {
  if (!line) return null;
  const fields = Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const n = (k: string): number => Number(fields[k] ?? NaN);
  const out = { avg10: n('avg10'), avg60: n('avg60'), avg300: n('avg300'), total: n('total') };
  return Object.values(out).every(Number.isFinite) ? out : null;
}

export function parsePressure(text: string | null): Pressure | null {
  if (text === null) return null;
  const lines = text.split('\n');
  const some = parseLine(lines.find((l) => l.startsWith('some ')));
  if (!some) return null;
  return { some, full: parseLine(lines.find((l) => l.startsWith('full '))) };
}
