// How the helper can be started, in order of preference: directly when we are root; through pkexec (the
// polkit action in resources/polkit); else in a user namespace ("sandbox" mode). Argv only, never a shell.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

export interface LaunchPlan {
  mode: 'host' | 'sandbox';
  via: 'direct' | 'pkexec' | 'unshare';
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
}

/** How to run a Node script: a node binary, or Electron itself in node mode. */
export interface NodeRunner {
  command: string;
  env: Record<string, string>;
}

export interface PlanInput {
  uid: number;
  node: NodeRunner;
  /** The built CLI bundle (out/node/cli.mjs). */
  cli: string;
  pkexec: string | null;
  unshare: string | null;
  /** The installed program the polkit action allows (resources/polkit/nslab-helper), if installed. */
  wrapper: string | null;
  sandboxStateDir: string;
  env: Record<string, string | undefined>;
}

/** Where the polkit action's program is installed (org.freedesktop.policykit.exec.path). */
export const POLKIT_WRAPPER = '/usr/lib/nslab/nslab-helper';
export const POLKIT_ACTION = 'org.nslab.helper';

export function helperPlans(i: PlanInput): LaunchPlan[] {
  const helper = [i.cli, 'helper', '--stdio'];
  const env = { ...i.env, ...i.node.env };
  if (i.uid === 0) return [{ mode: 'host', via: 'direct', command: i.node.command, args: helper, env }];
  const plans: LaunchPlan[] = [];
  if (i.pkexec) {
    // pkexec clears the environment: node-mode variables travel as env(1) arguments instead.
    const nodeArgv = Object.keys(i.node.env).length
      ? ['/usr/bin/env', ...Object.entries(i.node.env).map(([k, v]) => `${k}=${v}`), i.node.command, ...helper]
      : [i.node.command, ...helper];
    // The installed wrapper ignores its arguments and is the one program our polkit action allows.
    plans.push({ mode: 'host', via: 'pkexec', command: i.pkexec, args: i.wrapper ? [i.wrapper] : nodeArgv, env: i.env });
  }
  if (i.unshare) {
    plans.push({
      mode: 'sandbox',
      via: 'unshare',
      command: i.unshare,
      args: ['--user', '--map-root-user', '--net', '--mount', '--', i.node.command, ...helper],
      // Inside the namespace we look like uid 0: keep the ledger in the user's own state directory.
      env: { ...env, NSLAB_SANDBOX: '1', NSLAB_STATE_DIR: i.sandboxStateDir },
    });
  }
  return plans;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter).filter(isAbsolute), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  return dirs.map((d) => join(d, name)).find(executable) ?? null;
}

/**
 * The helper needs Node (its native modules are built for Node, not Electron): NSLAB_NODE (set by
 * scripts/start.mjs), else `node` on PATH, else Electron in node mode as the last resort.
 */
export function nodeRunner(env = process.env, electronPath = process.execPath): NodeRunner {
  const pinned = env.NSLAB_NODE;
  if (pinned && isAbsolute(pinned) && executable(pinned)) return { command: pinned, env: {} };
  const node = findExecutable('node', env.PATH);
  if (node) return { command: node, env: {} };
  return { command: electronPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
}

export function sandboxStateDir(env = process.env): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'nslab', 'sandbox');
}

export function defaultPlans(cli: string, env = process.env): LaunchPlan[] {
  return helperPlans({
    uid: process.getuid?.() ?? -1,
    node: nodeRunner(env),
    cli,
    pkexec: findExecutable('pkexec', env.PATH),
    unshare: findExecutable('unshare', env.PATH),
    wrapper: executable(POLKIT_WRAPPER) ? POLKIT_WRAPPER : null,
    sandboxStateDir: sandboxStateDir(env),
    env: { ...env },
  });
}
