// The activity journal as a runnable script: the successful changes, in order, as a person would type them.
import type { ActivityEvent } from './contract/index.js';

/**
 * Lines run after the changes so that nslab owns what the script rebuilt. The adopt step (`nslab adopt`)
 * comes with issue 12's adopt work; until then the hook stays empty and the script only says so.
 */
export const SCRIPT_FOOTER: readonly string[] = ['', '# nslab does not yet own what this script made: `nslab adopt` takes it into the ledger once available.'];

export function toShellScript(entries: readonly ActivityEvent[], header: string, footer: readonly string[] = SCRIPT_FOOTER): string {
  const lines = ['#!/bin/sh', `# ${header.replace(/\n/g, ' ')}`, 'set -e', ''];
  for (const e of entries) if (e.ok) lines.push(...e.shell);
  lines.push(...footer);
  return `${lines.join('\n')}\n`;
}
