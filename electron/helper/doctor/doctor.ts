// `nslab doctor`: what this machine supports and lacks, each with the reason and the fix.
import { readFileSync } from 'node:fs';
import type { DoctorCheck, DoctorReport } from '../../shared/contract/index.js';
import type { HelperContext } from '../context.js';
import { run, withActivityScope } from '../exec/run.js';
import { ipBatch } from '../net/ip.js';
import { cgroupLayout, cgroupMounts } from '../cgroup/mounts.js';
import { loadLabs } from '../labs/catalogue.js';
import { labPrograms, onPath, PROGRAM_PACKAGES } from './lab-programs.js';
import { cniDoctorChecks } from '../cni/doctor.js';
import { brNetfilter, kernelRelease, probeLinkKinds, toolVersion, TOOLS, unprivilegedUserns } from './probes.js';

const PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  iptables: 'iptables',
  nft: 'nftables',
  conntrack: 'conntrack',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  busybox: 'busybox-static',
  sysctl: 'procps',
};
const ESSENTIAL_TOOLS = new Set(['ip', 'nsenter', 'unshare', 'sysctl']);

const KIND_CONFIG: Record<string, string> = {
  veth: 'CONFIG_VETH',
  bridge: 'CONFIG_BRIDGE',
  macvlan: 'CONFIG_MACVLAN',
  vxlan: 'CONFIG_VXLAN',
  ipvlan: 'CONFIG_IPVLAN',
  dummy: 'CONFIG_DUMMY',
};

/**
 * Calls at the same time share one run: the link-kind probe uses one namespace per helper, so a second run
 * beside the first would collide on it (a page reloaded while its first doctor call is still probing).
 */
let inFlight: Promise<DoctorReport> | null = null;
export function doctor(ctx: HelperContext): Promise<DoctorReport> {
  inFlight ??= runDoctor(ctx).finally(() => (inFlight = null));
  return inFlight;
}

async function runDoctor(ctx: HelperContext): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  // uid 0 in sandbox mode is only the user namespace's root: the probes below may run, the host is not ours.
  const root = process.getuid?.() === 0;
  checks.push(privilegesCheck(ctx.mode, root));
  checks.push({ id: 'mode', title: 'Mode', status: 'ok', essential: false, detail: ctx.mode === 'host' ? 'host mode: the real kernel' : `sandbox mode: a private user+network+mount namespace. ${SANDBOX_LIMITS}` });

  const versions = await Promise.all(Object.values(TOOLS).map(toolVersion));
  const tools: Record<string, string | null> = Object.fromEntries(Object.keys(TOOLS).map((name, i) => [name, versions[i] ?? null]));
  for (const [name, version] of Object.entries(tools)) {
    checks.push({
      id: `tool.${name}`,
      title: name,
      status: version ? 'ok' : ESSENTIAL_TOOLS.has(name) ? 'missing' : 'warn',
      essential: ESSENTIAL_TOOLS.has(name),
      detail: version ? `version ${version}` : 'not installed',
      ...(version ? {} : { reason: `${name} is not on PATH`, fix: `apt-get install ${PACKAGES[name]}` }),
    });
  }

  // The programs labs use, beyond the tools above: a missing one fails those labs' checks or commands.
  for (const [program, labs] of labPrograms(loadLabs().map((l) => l.lab))) {
    if (program in tools) continue;
    const path = onPath(program);
    tools[program] = path;
    const used = `used by the lab${labs.length > 1 ? 's' : ''} ${labs.join(', ')}`;
    checks.push({
      id: `tool.${program}`,
      title: program,
      status: path ? 'ok' : 'warn',
      essential: false,
      detail: path ? `${path} (${used})` : `not installed; ${used}`,
      ...(path ? {} : { reason: `${program} is not on PATH: ${used} cannot be followed or checked`, fix: `apt-get install ${PROGRAM_PACKAGES[program]}` }),
    });
  }

  const kernel = kernelRelease();
  checks.push({ id: 'kernel', title: 'Kernel', status: 'ok', essential: false, detail: kernel });

  const mounts = cgroupMounts();
  const layout = cgroupLayout(mounts);
  checks.push({
    id: 'cgroup',
    title: 'cgroups',
    status: layout === 'none' ? 'missing' : 'ok',
    essential: false,
    detail: `${layout}: ${mounts.map((m) => `${m.mount} (${m.version}${m.controllers.length ? `: ${m.controllers.join(',')}` : ''})`).join('; ') || 'no cgroup filesystem mounted'}`,
    ...(layout === 'none' ? { reason: 'no cgroup filesystem is mounted', fix: 'mount -t cgroup2 none /sys/fs/cgroup' } : {}),
  });

  const userns = unprivilegedUserns();
  checks.push({
    id: 'userns',
    title: 'Unprivileged user namespaces',
    status: userns.ok ? 'ok' : 'warn',
    essential: false,
    detail: userns.detail,
    ...(userns.ok ? {} : { reason: 'sandbox mode needs unprivileged user namespaces', fix: 'sysctl -w kernel.unprivileged_userns_clone=1 (or user.max_user_namespaces=15000)' }),
  });

  const br = brNetfilter();
  checks.push({
    id: 'br_netfilter',
    title: 'br_netfilter',
    status: br.present ? 'ok' : 'warn',
    essential: false,
    detail: br.present ? `present; bridge-nf-call-iptables=${br.callIptables} (bridged traffic ${br.callIptables === '1' ? 'meets' : 'skips'} iptables)` : 'not loaded',
    ...(br.present ? {} : { reason: 'the ping-failed lab needs bridged traffic to traverse iptables', fix: 'modprobe br_netfilter' }),
  });

  const backend = tools.iptables ? await iptablesBackend() : null;
  checks.push({
    id: 'iptables.backend',
    title: 'iptables backend',
    status: backend ? 'ok' : 'warn',
    essential: false,
    detail: backend ? `iptables ${tools.iptables} (${backend})` : 'iptables not installed',
    ...(backend ? {} : { reason: 'firewall labs need iptables', fix: 'apt-get install iptables' }),
  });

  let linkKinds: Record<string, boolean> = {};
  if (root && tools.ip) {
    // A probe, not a change: its add/del pair never reaches the activity journal.
    linkKinds = await withActivityScope({ probe: true }, () => probeLinkKinds((netns, body) => withProbeNamespace(ctx, netns, body)));
    for (const [kind, ok] of Object.entries(linkKinds)) {
      checks.push({
        id: `link.${kind}`,
        title: `${kind} links`,
        status: ok ? 'ok' : 'warn',
        essential: kind === 'veth' || kind === 'bridge',
        detail: ok ? 'supported' : 'not supported by this kernel',
        ...(ok ? {} : { reason: `the kernel has no ${kind} driver (${KIND_CONFIG[kind]}) and nslab loads no modules`, fix: `modprobe ${kind}, or a kernel built with ${KIND_CONFIG[kind]}` }),
      });
    }
  }

  // The CNI plugins `nslab cni` and the cni-plugins lab run (Debian: containernetworking-plugins).
  checks.push(...(await cniDoctorChecks()));

  const ok = checks.every((c) => !c.essential || c.status === 'ok');
  return { ok, root: root && ctx.mode === 'host', mode: ctx.mode, kernel, cgroup: { layout, hierarchies: mounts }, iptablesBackend: backend, linkKinds, tools, checks };
}

/** What sandbox mode cannot do, in one sentence (doctor, `nslab lab list`, the helper's refusals). */
export const SANDBOX_LIMITS = 'Topologies, exec, shells, terminals, firewall rules, traces and the network labs work; cgroup limits, containers, `nslab run` and the real host network need host mode (root).';

/** The user's own uid seen from outside a user namespace (`0 1000 1` in uid_map → 1000). */
function outsideUid(): number | undefined {
  try {
    const [, outside] = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).map(Number);
    return outside;
  } catch {
    return undefined;
  }
}

/** Who we are, and for a normal user both ways on: sudo for host mode, or sandbox mode right now. */
function privilegesCheck(mode: 'host' | 'sandbox', root: boolean): DoctorCheck {
  const base = { id: 'root', title: 'Privileges', essential: false };
  if (mode === 'sandbox') {
    return {
      ...base,
      status: 'warn',
      detail: `sandbox mode as uid ${outsideUid() ?? '?'}: root only inside a private user namespace`,
      reason: 'cgroup limits, containers, `nslab run` and the real host network need root on the host',
      fix: 'sandbox mode works now for everything network-side; for host mode run `sudo nslab …` (or `sudo nslab serve`)',
    };
  }
  if (root) return { ...base, status: 'ok', detail: 'running as root (host mode)' };
  return {
    ...base,
    status: 'warn',
    detail: `running as uid ${process.getuid?.()} in host mode`,
    reason: 'changing the real kernel needs root',
    fix: 'either `sudo nslab …` for host mode, or sandbox mode now: `nslab --sandbox …` (the default for a normal user) runs a private user+network namespace where topologies and the network labs work',
  };
}

async function iptablesBackend(): Promise<'nf_tables' | 'legacy'> {
  const { stdout } = await run(['iptables', '-V'], { allowFailure: true });
  return stdout.includes('nf_tables') ? 'nf_tables' : 'legacy';
}

async function withProbeNamespace(ctx: HelperContext, netns: string, body: () => Promise<void>): Promise<void> {
  const objects = [{ kind: 'netns' as const, netns: null, name: netns, owner: 'doctor' }];
  const tx = ctx.ledger.begin(objects);
  try {
    await ipBatch(null, [['netns', 'add', netns]]);
    await body();
  } finally {
    await ipBatch(null, [['netns', 'del', netns]]).catch(() => undefined);
    ctx.ledger.removed(objects, tx);
  }
}
