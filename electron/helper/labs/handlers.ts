import type { HelperContext } from '../context.js';
import { withActivityScope } from '../exec/run.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { hostOnlyReason, labOwner, type HostOnly, type LabSpec } from '../../shared/labs/index.js';
import { findLab, loadLabs } from './catalogue.js';
import { exportScript } from './export.js';
import { ProgressStore } from './progress.js';
import { isUp, labCheck, labDown, labHint, labReset, labSolve, labUp } from './runner.js';

/** A lab's changes are journaled as its own, so one lab's work exports alone. */
const asLab = <T>(id: string, body: () => Promise<T>): Promise<T> => withActivityScope({ owner: labOwner(id) }, body);

/** Only on labs sandbox mode cannot run: why they need host mode. */
const hostOnlyField = (lab: LabSpec): { hostOnly?: HostOnly } => {
  const hostOnly = hostOnlyReason(lab);
  return hostOnly ? { hostOnly } : {};
};

type LabMethods = Extract<keyof Handlers, `lab.${string}`>;

export function labHandlers(ctx: HelperContext): Pick<Handlers, LabMethods> {
  return {
    'lab.list': async () => {
      const progress = new ProgressStore(ctx.stateDir);
      return {
        labs: loadLabs().map(({ lab, file }) => ({
          id: lab.id,
          title: lab.title,
          summary: lab.summary,
          level: lab.level,
          minutes: lab.minutes,
          order: lab.order,
          requires: lab.requires,
          topics: lab.topics,
          steps: lab.steps.length,
          file,
          up: isUp(ctx, lab),
          progress: progress.get(lab.id),
          ...hostOnlyField(lab),
        })),
      };
    },
    'lab.show': async ({ id }) => {
      const { lab, file } = findLab(id);
      return { lab, file, up: isUp(ctx, lab), progress: new ProgressStore(ctx.stateDir).get(id), ...hostOnlyField(lab) };
    },
    'lab.up': async ({ id }) => asLab(id, () => labUp(ctx, id)),
    'lab.check': async ({ id, step }) => asLab(id, () => labCheck(ctx, id, step)),
    'lab.hint': async ({ id, step }) => labHint(ctx, id, step),
    'lab.solve': async ({ id, step }) => asLab(id, () => labSolve(ctx, id, step)),
    'lab.reset': async ({ id }) => asLab(id, () => labReset(ctx, id)),
    'lab.down': async ({ id }) => asLab(id, () => labDown(ctx, id)),
    'lab.export': async ({ id, step }) => ({ id, script: exportScript(findLab(id).lab, step) }),
    'lab.progress': async ({ id }) => {
      const store = new ProgressStore(ctx.stateDir);
      const all = store.all();
      return { user: store.user, labs: id === undefined ? all : { [id]: store.get(id) } };
    },
  };
}
