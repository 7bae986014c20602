// A program's end as a shell reports it: its exit code, or 128+n when signal n killed it.
import { constants } from 'node:os';

const osSignals = constants.signals as Record<string, number>;

export const signalNumber = (name: string): number => osSignals[name] ?? 1;

export const exitCodeOf = (code: number | null, signal: string | null): number => code ?? 128 + (signal ? signalNumber(signal) : 1);
