// A container's mounts as a fstab(5) of its own, so that one `mount -a -T FSTAB` (util-linux mounts the
// entries in order) does the work of one `mount` per entry; each entry keeps the single command it stands
// for, which is what the activity log shows and the exported script runs.
export interface FstabEntry {
  source: string;
  target: string;
  type: string;
  options: string;
  /** The namespaces a single `nsenter` would join for this mount (proc: pid; sysfs: net). */
  flags: string[];
}

/** The one `mount` command an entry stands for. */
export const mountArgv = (e: FstabEntry): string[] =>
  e.type === 'none' && e.options.split(',').includes('bind')
    ? ['mount', '--bind', ...(e.options.split(',').includes('ro') ? ['-o', 'ro'] : []), e.source, e.target]
    : ['mount', '-t', e.type, '-o', e.options, e.source, e.target];

/** fstab(5) escapes space, tab, newline and backslash in its fields as octal. */
export const fstabField = (v: string): string => v.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
export const fstabLine = (e: FstabEntry): string => `${[e.source, e.target, e.type, e.options].map(fstabField).join(' ')} 0 0\n`;
