// Every `net.*` method of the contract has an `nslab net …` verb, and no two share one.
import { describe, expect, it } from 'vitest';
import { NET_VERBS } from '../../electron/cli/commands/net.js';
import { METHOD_NAMES } from '../../electron/shared/contract/index.js';

describe('nslab net verbs', () => {
  it('cover the contract’s net.* methods one to one', () => {
    expect(Object.keys(NET_VERBS).sort()).toEqual(METHOD_NAMES.filter((m) => m.startsWith('net.')).sort());
    expect(new Set(Object.values(NET_VERBS)).size).toBe(Object.keys(NET_VERBS).length);
    expect(NET_VERBS['net.link.create']).toBe('net link add');
  });
});
