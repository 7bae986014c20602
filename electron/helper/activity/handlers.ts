import type { ParsedParams } from '../../shared/contract/index.js';
import { toShellScript } from '../../shared/activity-script.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { ActivityJournal, ActivityQuery } from './journal.js';

type ActivityMethods = Extract<keyof Handlers, `activity.${string}`>;

const queryOf = (journal: ActivityJournal, p: ParsedParams<'activity.list'>): ActivityQuery => ({
  since: p.since,
  owner: p.owner,
  session: p.currentSession ? journal.session : undefined,
});

function headerOf(p: ParsedParams<'activity.list'>): string {
  const what = p.owner ?? (p.currentSession ? 'this helper session' : 'the whole journal');
  return `nslab activity export: ${what}${p.since ? ` since ${p.since}` : ''}, made ${new Date().toISOString()}`;
}

export function activityHandlers(journal: ActivityJournal): Pick<Handlers, ActivityMethods> {
  return {
    'activity.list': async (p) => ({ entries: journal.list(queryOf(journal, p)), session: journal.session }),
    'activity.export': async (p) => {
      const entries = journal.list(queryOf(journal, p));
      return { script: toShellScript(entries, headerOf(p)), commands: entries.filter((e) => e.ok).length };
    },
  };
}
