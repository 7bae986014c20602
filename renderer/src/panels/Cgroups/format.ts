// Human units for the Cgroups panel.
export function formatBytes(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = v;
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

export const formatPct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} %`);
export const formatCount = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(Math.round(v)));
