// The activity log: every change the helper reports, as the equivalent shell command(s).
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { adoptLines, createdObjects } from '@shared/adopt-script';
import type { ActivityEvent } from '@shared/contract/index';
import { useApi } from '../api';

export interface ActivityEntry extends ActivityEvent {
  id: number;
}

/** Cap on remembered entries; the oldest go first. */
export const ACTIVITY_LIMIT = 5000;

/** A runnable POSIX shell script of the successful commands, in order. */
export function toShellScript(entries: readonly ActivityEvent[], header: string): string {
  const lines = ['#!/bin/sh', `# ${header.replace(/\n/g, ' ')}`, 'set -e', ''];
  const done = entries.filter((e) => e.ok);
  for (const e of done) lines.push(...e.shell);
  // Batched changes come as one argv (`ip -batch -`) but one shell line each: read the lines.
  lines.push(...adoptLines(createdObjects(done.flatMap((e) => e.shell.map((l) => l.split(/\s+/))))));
  return `${lines.join('\n')}\n`;
}

export const useActivityStore = defineStore('activity', () => {
  const entries = ref<ActivityEntry[]>([]);
  const startedAt = shallowRef(new Date());
  let nextId = 1;
  let stop: (() => void) | null = null;

  function add(e: ActivityEvent): void {
    entries.value.push({ ...e, id: nextId++ });
    if (entries.value.length > ACTIVITY_LIMIT) entries.value.splice(0, entries.value.length - ACTIVITY_LIMIT);
  }

  function start(): void {
    stop ??= useApi().on('activity', add);
  }

  function dispose(): void {
    stop?.();
    stop = null;
  }

  function clear(): void {
    entries.value = [];
  }

  return { entries, startedAt, add, start, dispose, clear };
});
