// The one probe a walk sends from the node's namespace: a ping with the trace's ICMP id, or a TCP connect /
// UDP datagram from the trace's source port (out/node/probe.mjs, a tiny Node program run in the namespace).
import type { TraceProtocol } from '../../../shared/contract/index.js';
import { run } from '../../exec/run.js';
import { builtNodeEntry } from '../../resources.js';

export interface ProbeSpec {
  netns: string;
  proto: TraceProtocol;
  to: string;
  dport?: number;
  marker: number;
  timeoutMs: number;
}

export const DEFAULT_DPORT = { tcp: 80, udp: 53 } as const;

export function probeArgv(p: ProbeSpec): string[] {
  const inNs = ['ip', 'netns', 'exec', p.netns];
  if (p.proto === 'icmp') return [...inNs, 'ping', '-n', '-c', '1', '-W', String(Math.max(1, Math.ceil(p.timeoutMs / 1000))), '-e', String(p.marker), p.to];
  const dport = p.dport ?? DEFAULT_DPORT[p.proto];
  return [...inNs, process.execPath, '--v8-pool-size=1', builtNodeEntry('probe.mjs', 'the trace probe'), p.proto, p.to, String(dport), String(p.marker), String(p.timeoutMs)];
}

export async function sendProbe(p: ProbeSpec): Promise<{ ok: boolean; detail: string }> {
  const { code, stdout, stderr } = await run(probeArgv(p), { allowFailure: true, timeoutMs: p.timeoutMs + 5000 });
  if (p.proto === 'icmp') {
    const summary = stdout.split('\n').find((l) => /packets transmitted/.test(l))?.trim();
    return { ok: code === 0, detail: summary ?? (stderr.trim() || `ping exited with ${code}`) };
  }
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as { ok: boolean; detail: string };
  } catch {
    return { ok: false, detail: stderr.trim() || `probe exited with ${code}` };
  }
}
