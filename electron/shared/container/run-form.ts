// The Containers panel's run form → container.run params, with every problem tied to the form field that
// caused it (the same schema the helper checks again, so the panel and the CLI refuse the same things).
import { ContainerRunParams } from '../contract/container.js';

/** The form as typed: text fields and switches, like the CLI's flags. */
export interface RunForm {
  name: string;
  rootfs: string;
  command: string;
  memory: string;
  cpus: string;
  pidsLimit: string;
  net: string;
  ip: string;
  gateway: string;
  hostname: string;
  capDrop: string;
  capAdd: string;
  userns: boolean;
  readOnly: boolean;
  noNewPrivs: boolean;
}

export const emptyRunForm = (): RunForm => ({
  name: '', rootfs: 'busybox', command: 'sleep 3600', memory: '', cpus: '', pidsLimit: '', net: 'none', ip: '', gateway: '', hostname: '',
  capDrop: '', capAdd: '', userns: false, readOnly: false, noNewPrivs: false,
});

export type RunFormField = keyof RunForm;

const words = (s: string): string[] => s.trim().split(/\s+/).filter(Boolean);
const list = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

/** `none`, `NODE`, `bridge:NODE/BR` (as `--net` takes it). */
function netOf(text: string): unknown {
  const t = text.trim();
  if (t === '' || t === 'none') return 'none';
  const bridge = /^bridge:([^/]+)\/(.+)$/.exec(t);
  if (bridge) return { node: bridge[1], bridge: bridge[2] };
  if (t.startsWith('bridge:')) return { node: '', bridge: '' };
  return { node: t };
}

/** Params in the contract's input shape; detached (a panel does not wait for the program). */
export function runFormParams(f: RunForm): Record<string, unknown> {
  const limits: Record<string, string> = {};
  if (f.memory.trim()) limits.memory = f.memory.trim();
  if (f.cpus.trim()) limits.cpus = f.cpus.trim();
  if (f.pidsLimit.trim()) limits['pids-limit'] = f.pidsLimit.trim();
  return {
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    rootfs: f.rootfs.trim() || 'busybox',
    limits,
    net: netOf(f.net),
    ...(f.ip.trim() ? { ip: f.ip.trim() } : {}),
    ...(f.gateway.trim() ? { gateway: f.gateway.trim() } : {}),
    userns: f.userns,
    ...(f.hostname.trim() ? { hostname: f.hostname.trim() } : {}),
    capDrop: list(f.capDrop),
    capAdd: list(f.capAdd),
    readOnly: f.readOnly,
    noNewPrivs: f.noNewPrivs,
    argv: words(f.command),
    detach: true,
    owner: 'panel',
  };
}

const FIELD_OF: Record<string, RunFormField> = {
  name: 'name', rootfs: 'rootfs', net: 'net', ip: 'ip', gateway: 'gateway', hostname: 'hostname', capDrop: 'capDrop', capAdd: 'capAdd',
  argv: 'command', userns: 'userns', readOnly: 'readOnly', noNewPrivs: 'noNewPrivs',
};
const LIMIT_FIELD: Record<string, RunFormField> = { memory: 'memory', cpus: 'cpus', 'pids-limit': 'pidsLimit' };

/** The form's problems by field (the first one each), or none. */
export function runFormProblems(f: RunForm): Partial<Record<RunFormField, string>> {
  const r = ContainerRunParams.safeParse(runFormParams(f));
  if (r.success) {
    if ((f.ip.trim() || f.gateway.trim()) && r.data.net === 'none') return { net: 'an address or gateway needs a network: a node or bridge:NODE/BR' };
    return {};
  }
  const out: Partial<Record<RunFormField, string>> = {};
  for (const issue of r.error.issues) {
    const [top, sub] = issue.path.map(String);
    const field = top === 'limits' ? LIMIT_FIELD[sub ?? ''] ?? 'memory' : FIELD_OF[top ?? ''] ?? 'command';
    out[field] ??= issue.message;
  }
  return out;
}
