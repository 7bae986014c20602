// `nslab`: the command-line client. Everything the GUI can do, with --json output.
import { buildProgram } from './program.js';
import { extractModeFlags } from './sandbox/mode.js';
import { noteMode, reportError } from './output.js';

// `nslab … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// --host / --sandbox may stand anywhere before `--`; every command (and the sandbox helper) reads NSLAB_MODE.
let argv = process.argv;
try {
  const flags = extractModeFlags(process.argv);
  argv = flags.argv;
  if (flags.mode) process.env.NSLAB_MODE = flags.mode;
} catch (err) {
  noteMode(null); // --host with --sandbox: no mode is settled
  process.exit(reportError(err, process.argv.includes('--json')));
}

await buildProgram().parseAsync(argv);
