// The activity journal as a runnable script: the successful changes, in order, as a person would type them,
// then the lines that let nslab own what the script built (`nslab adopt`).
import { adoptLines, createdObjects } from './adopt-script.js';
import type { ActivityEvent } from './contract/index.js';

export function toShellScript(entries: readonly ActivityEvent[], header: string): string {
  const lines = ['#!/bin/sh', `# ${header.replace(/\n/g, ' ')}`, 'set -e', ''];
  const done = entries.filter((e) => e.ok);
  for (const e of done) lines.push(...e.shell);
  // Batched changes come as one argv (`ip -batch -`) but one shell line each: read the lines.
  lines.push(...adoptLines(createdObjects(done.flatMap((e) => e.shell.map((l) => l.split(/\s+/))))));
  return `${lines.join('\n')}\n`;
}
