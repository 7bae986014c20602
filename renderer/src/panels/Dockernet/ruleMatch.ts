// A dockernet rule (`-t nat -A DOCKER -i docker0 -j RETURN`, or a multi-host `-t filter -I DOCKER-USER 1 …`,
// as dockerd would print it) against a rule of the Firewall panel: the same table, chain and words once
// nslab's comment match is set aside.
import type { DockernetObject, FwRule } from '@shared/contract/index';

const withoutComment = (words: readonly string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '-m' && words[i + 1] === 'comment' && words[i + 2] === '--comment') i += 3;
    else out.push(words[i]!);
  }
  return out;
};

/** The words after `-A CHAIN` (or `-I CHAIN N`) of a dockernet rule's text. */
export const ruleWords = (text: string): string[] => text.replace(/^-t \S+ (?:-A \S+|-I \S+ \d+) ?/, '').split(' ').filter(Boolean);

export const sameRule = (o: Pick<DockernetObject, 'text' | 'table' | 'chain'>, table: string, chain: string, rule: Pick<FwRule, 'words'>): boolean =>
  o.table === table && o.chain === chain && rule.words !== null && withoutComment(rule.words).join(' ') === ruleWords(o.text).join(' ');
