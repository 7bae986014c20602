// Runs @doyensec/electronegativity over the Electron sources (main, preload, renderer) through its
// programmatic runner: its CLI breaks on the hoisted commander 14 (`commander.version is not a function`).
// Fails on any HIGH or MEDIUM finding that security/electronegativity-allow.json does not explain.
// Usage: node scripts/electronegativity.mjs [--json]
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(new URL('..', import.meta.url).pathname);
const run = require('@doyensec/electronegativity/dist/runner.js');
const allow = JSON.parse(readFileSync(resolve(root, 'security/electronegativity-allow.json'), 'utf8'));

// One scan over the window's code together, so the global checks (CSP, navigation limits, permission
// handler) see main's security.ts when judging the whole app.
const inputs = ['electron/main', 'electron/preload', 'electron/shared', 'renderer/src'];
const scan = mkdtempSync(join(tmpdir(), 'nslab-electronegativity-'));
for (const input of inputs) cpSync(resolve(root, input), join(scan, input), { recursive: true });
const findings = [];
try {
  const out = await run({ input: scan, isRelative: false, electronVersionOverride: '39.8.10' });
  for (const issue of out.issues) {
    findings.push({
      id: issue.id,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      file: issue.file === 'N/A' ? 'N/A' : relative(scan, issue.file),
      line: issue.location?.line ?? 0,
      manualReview: Boolean(issue.manualReview),
    });
  }
} finally {
  rmSync(scan, { recursive: true, force: true });
}
const explained = (f) => allow.findings.some((a) => a.id === f.id && (a.file === undefined || a.file === f.file));
const blocking = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !explained(f));
if (process.argv.includes('--json')) console.log(JSON.stringify({ findings, blocking }, null, 2));
else {
  for (const f of findings) console.log(`${explained(f) ? 'allowed ' : ''}${f.severity}/${f.confidence} ${f.id} ${f.file}:${f.line}`);
  console.log(`${findings.length} findings, ${blocking.length} high/medium not explained in security/electronegativity-allow.json`);
}
process.exit(blocking.length === 0 ? 0 : 1);
