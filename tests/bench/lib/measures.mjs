// One summary shape for every benchmark: each measure with nslab's figure, the same run's baseline, the
// ratio between them, the target and whether it was met. A benchmark prints its rows with printMeasures and
// stores them as `measures` in its results JSON; `npm run bench` (run.mjs) prints all of them at the end.

/**
 * @typedef {{ measure: string, nslab: number | string, baseline: number | string | null, ratio: number | null, target: string, met: boolean | null }} Measure
 */

/**
 * A row whose target bounds the ratio (the default when there is one) or, with `on: 'nslab'`, nslab's own
 * figure; `at: 'min'` makes it a floor (`≥`) instead of a ceiling (`≤`).
 */
export function measure(name, { nslab, baseline = null, ratio = null, target, on = ratio === null ? 'nslab' : 'ratio', at = 'max' }) {
  const value = on === 'ratio' ? ratio : nslab;
  const met = at === 'max' ? value <= target : value >= target;
  return { measure: name, nslab, baseline, ratio, target: `${at === 'max' ? '≤' : '≥'} ${target}${on === 'ratio' ? '×' : ''}`, met };
}

/**
 * A row the issues set no target for (shown for what it tells, e.g. latency under load against idle):
 * its `met` is null, printed as `–`.
 */
export function shown(name, { nslab, baseline = null, ratio = null }) {
  return { measure: name, nslab, baseline, ratio, target: '(no target)', met: null };
}

/** @param {Measure[]} rows */
export function printMeasures(rows) {
  const met = (r) => (r.met === null ? '–' : r.met ? 'yes' : 'NO');
  console.table(Object.fromEntries(rows.map((r) => [r.measure, { nslab: r.nslab, baseline: r.baseline ?? '', ratio: r.ratio ?? '', target: r.target, met: met(r) }])));
}
