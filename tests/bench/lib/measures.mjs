// One summary shape for every benchmark: each measure with nslab's figure, the same run's baseline, the
// ratio between them, the target and whether it was met. A benchmark prints its rows with printMeasures and
// stores them as `measures` in its results JSON; `npm run bench` (run.mjs) prints all of them at the end.

/**
 * @typedef {{ measure: string, nslab: number | string, baseline: number | string | null, ratio: number | null, target: string, met: boolean }} Measure
 */

/** A row whose target is a bound on `value` (`≤` or `≥`). */
export function measure(name, { nslab, baseline = null, ratio = null, target, value = ratio ?? nslab, at = 'max' }) {
  const met = at === 'max' ? value <= target : value >= target;
  const unit = ratio !== null && value === ratio ? '×' : '';
  return { measure: name, nslab, baseline, ratio, target: `${at === 'max' ? '≤' : '≥'} ${target}${unit}`, met };
}

/** @param {Measure[]} rows */
export function printMeasures(rows) {
  console.table(Object.fromEntries(rows.map((r) => [r.measure, { nslab: r.nslab, baseline: r.baseline ?? '', ratio: r.ratio ?? '', target: r.target, met: r.met ? 'yes' : 'NO' }])));
}
