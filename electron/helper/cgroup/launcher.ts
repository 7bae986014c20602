// Entry of out/node/launcher.mjs: joins a cgroup, starts the program, steps back out (see launchInCgroup).
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { cgroupLauncherMain } from '../exec.js';

cgroupLauncherMain(process.argv[2] ?? '', {
  report: (text) => {
    try {
      writeSync(3, text);
    } catch {
      // nobody listens on fd 3 (started by hand): the exit code still tells
    }
  },
  exit: (code) => process.exit(code),
  readFile: (p) => readFileSync(p, 'utf8'),
  writeFile: (p, v) => writeFileSync(p, v),
  exists: (p) => existsSync(p),
});
