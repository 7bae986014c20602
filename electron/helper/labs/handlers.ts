import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { findLab, loadLabs } from './catalogue.js';
import { exportScript } from './export.js';
import { ProgressStore } from './progress.js';
import { isUp, labCheck, labDown, labHint, labReset, labSolve, labUp } from './runner.js';

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
        })),
      };
    },
    'lab.show': async ({ id }) => {
      const { lab, file } = findLab(id);
      return { lab, file, up: isUp(ctx, lab), progress: new ProgressStore(ctx.stateDir).get(id) };
    },
    'lab.up': async ({ id }) => labUp(ctx, id),
    'lab.check': async ({ id, step }) => labCheck(ctx, id, step),
    'lab.hint': async ({ id, step }) => labHint(ctx, id, step),
    'lab.solve': async ({ id, step }) => labSolve(ctx, id, step),
    'lab.reset': async ({ id }) => labReset(ctx, id),
    'lab.down': async ({ id }) => labDown(ctx, id),
    'lab.export': async ({ id, step }) => ({ id, script: exportScript(findLab(id).lab, step) }),
    'lab.progress': async ({ id }) => {
      const store = new ProgressStore(ctx.stateDir);
      const all = store.all();
      return { user: store.user, labs: id === undefined ? all : { [id]: store.get(id) } };
    },
  };
}
