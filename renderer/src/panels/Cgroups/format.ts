// Human units for the Cgroups panel (bytes: formatBytes in @shared/cgroup/units, shared with the CLI).
export const formatPct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} %`);
export const formatCount = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(Math.round(v)));
