/**
 * The links screen's state (web/src/views/links-filter.ts): kept in the
 * address and read back the same, asked of the API as the query language
 * means it, and described in words that say what the API did.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSearchQuery } from '@delinkcious/object-model';
import { apiFilter, bulkQuery, describe as describeFilter, filterOf, hashFor, inEveryBranch, quotedList } from '../../web/src/views/links-filter.ts';

const params = (hash: string) => new URLSearchParams(hash.split('?')[1] ?? '');

describe('the links screen’s filter', () => {
  test('the address holds it and gives it back', () => {
    const filter = { q: 'postgres "exact phrase" -draft', sort: 'title' as const, tags: ['go', 'db'], unread: true };
    const hash = hashFor(filter);
    assert.equal(hash, '#/links?q=postgres+%22exact+phrase%22+-draft&sort=title&tag=go&tag=db&unread=1');
    assert.deepEqual(filterOf(params(hash)), filter);
    assert.equal(hashFor(filterOf(new URLSearchParams())), '#/links');
  });

  test('tags from the address: repeated or comma-joined, trimmed, lower-cased, once each; an unknown sort is the default', () => {
    assert.deepEqual(filterOf(new URLSearchParams('tag=Go,%20db&tag=go&tag=&sort=sideways')), { q: '', sort: '', tags: ['go', 'db'], unread: false });
  });

  test('several tags are sent as tag=a,b (links with all of them), and said so', () => {
    const filter = { q: '', sort: '' as const, tags: ['a', 'b', 'c'], unread: false };
    assert.deepEqual(apiFilter(filter), { tag: 'a,b,c' });
    assert.equal(describeFilter(filter, 2), 'links tagged “a”, “b” and “c”');
    assert.equal(describeFilter({ ...filter, tags: ['a', 'b'] }, 1), 'link tagged “a” and “b”');
    assert.equal(quotedList(['x']), '“x”');
  });

  test('the Unread view is is:unread in every OR branch, first, so the last word stays a prefix', () => {
    assert.equal(inEveryBranch('', 'is:unread'), 'is:unread');
    assert.equal(inEveryBranch('postgr', 'is:unread'), 'is:unread postgr');
    assert.equal(inEveryBranch('a b OR c', 'is:unread'), 'is:unread a b OR is:unread c');
    // OR inside quotes or negated is a word, not the operator.
    assert.equal(inEveryBranch('"x OR y" -OR z', 'is:unread'), 'is:unread "x OR y" -OR z');
    const branches = parseSearchQuery(inEveryBranch('rust OR go OR "node js"', 'is:unread')).branches;
    assert.equal(branches.length, 3);
    for (const branch of branches) assert.ok(branch.some((term) => term.kind === 'is' && term.value === 'unread' && !term.negated), JSON.stringify(branch));
    const last = parseSearchQuery(inEveryBranch('a OR postgr', 'is:unread')).branches[1]!.at(-1);
    assert.deepEqual(last, { kind: 'words', words: ['postgr'], prefix: true, negated: false });
    assert.deepEqual(apiFilter({ q: 'go', sort: 'oldest', tags: [], unread: true }), { q: 'is:unread go', sort: 'oldest' });
    assert.equal(describeFilter({ q: 'go', sort: '', tags: ['x'], unread: true }, 3), 'unread links matching “go”, tagged “x”');
  });

  test('the whole view as one query for a bulk edit: tags and unread in every branch; nothing for the unfiltered view', () => {
    const none = { q: '', sort: '' as const, tags: [], unread: false };
    assert.equal(bulkQuery(none), undefined, 'a query of nothing would be every link');
    assert.equal(bulkQuery({ ...none, q: 'go' }), 'go');
    assert.equal(bulkQuery({ ...none, tags: ['a', 'b'], unread: true }), '#a #b is:unread');
    const q = bulkQuery({ ...none, q: 'rust OR go', tags: ['later'] })!;
    assert.equal(q, '#later rust OR #later go');
    for (const branch of parseSearchQuery(q).branches) assert.ok(branch.some((term) => term.kind === 'tag' && term.tag === 'later'));
    assert.equal(bulkQuery({ ...none, tags: ['say"what'] }), undefined, 'a tag the language cannot spell');
  });
});
