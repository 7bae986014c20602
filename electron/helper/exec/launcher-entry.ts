// Entry of out/node/launcher.mjs: joins a cgroup, starts the program, steps back out (see launchInCgroup).
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { REPORT_FD_FLAG, cgroupLauncherMain } from './cgroup-launcher.js';

// fd 3 is a report pipe only when launchInCgroup says so; under a pty it may be any descriptor.
const reportToFd3 = process.argv[3] === REPORT_FD_FLAG;

cgroupLauncherMain(process.argv[2] ?? '', {
  report: (text) => {
    if (!reportToFd3) return;
    try {
      writeSync(3, text);
    } catch {
      // the reader went away: the exit code still tells
    }
  },
  exit: (code) => process.exit(code),
  readFile: (p) => readFileSync(p, 'utf8'),
  writeFile: (p, v) => writeFileSync(p, v),
  exists: (p) => existsSync(p),
});
