// Every `nslab` command on one commander program: what main.ts runs, and what tests walk to reach each one.
import { Command } from 'commander';
import { VERSION } from '../helper/version.js';
import { registerActivity } from './commands/activity.js';
import { registerCgroup } from './commands/cgroup.js';
import { registerContainer } from './commands/container.js';
import { registerInspect } from './commands/inspect.js';
import { registerAudit } from './commands/audit.js';
import { registerExec } from './commands/exec.js';
import { registerFw } from './commands/fw.js';
import { registerRun } from './commands/run.js';
import { registerTop } from './commands/top.js';
import { registerHelper } from './commands/helper.js';
import { registerLab } from './commands/lab.js';
import { registerNet } from './commands/net.js';
import { registerServe } from './commands/serve.js';
import { registerSystem } from './commands/system.js';
import { registerTopo } from './commands/topo.js';
import { registerTrace } from './commands/trace.js';
import { registerCt } from './commands/ct.js';
import { registerWhy } from './commands/why.js';
import { registerDockernet } from './commands/dockernet.js';
import { registerCni } from './commands/cni.js';
import { registerInterop } from './commands/interop.js';

export function buildProgram(): Command {
  const program = new Command('nslab')
    .description('a workbench for network namespaces, veth, bridges, netfilter and cgroups')
    .version(VERSION)
    // main.ts takes these out of argv first (they may follow the command too); declared here for --help.
    .option('--sandbox', 'work in sandbox mode: a background helper in a private user+network namespace (the default without root)')
    .option('--host', 'work in host mode: the real kernel (the default as root; refused without root)')
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

  registerTopo(program);
  registerNet(program);
  registerLab(program);
  registerExec(program);
  registerCgroup(program);
  registerFw(program);
  registerContainer(program);
  registerInspect(program);
  registerAudit(program);
  registerRun(program);
  registerTop(program);
  registerTrace(program);
  registerCt(program);
  registerWhy(program);
  registerDockernet(program);
  registerCni(program);
  registerSystem(program);
  registerActivity(program);
  registerHelper(program);
  registerServe(program);
  registerInterop(program);
  return program;
}
