import { describe, expect, it } from 'vitest';
import type { Page, PageOptions } from '../ports/storage.js';
import { encodeCursor } from '../util/cursor.js';
import {
  at,
  campaign,
  customerEvent,
  customerUpsert,
  delivery,
  order,
  segment,
  spendOver,
  testCatalog,
} from './fixtures.js';
import { useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/**
 * Cursors no listing issues, whatever its position shape (an id, a `[time, id]` pair, a sorted-set
 * member): not base64url JSON, characters outside the alphabet, a crafted query operator, other
 * JSON types, padding.
 */
export const FOREIGN_CURSORS: readonly (readonly [string, string])[] = [
  ['garbage', 'garbage'],
  ['empty', ''],
  ['not base64url', '!!!!'],
  ['padded', `${encodeCursor('c1')}==`],
  ['an operator object', encodeCursor({ $gt: '' })],
  ['a pair holding an operator', encodeCursor([0, { $gt: '' }])],
  ['null', encodeCursor(null)],
  ['a number', encodeCursor(42)],
  ['a boolean', encodeCursor(true)],
  ['an array of three', encodeCursor([1, 'a', 'b'])],
];

type Listing = (options: PageOptions) => Promise<Page<unknown>>;

/** What an ascending-id listing issues: one id. A newest-first listing never issues it. */
const ID_CURSOR = encodeCursor('c1');

/**
 * Cursor checks of every listing: a cursor the listing did not issue rejects with a
 * `ValidationError` (`VALIDATION_FAILED`, one problem at `['cursor']`, code `invalid_cursor`), on an
 * empty store and on a populated one, instead of answering the first page; the cursors it issues
 * still page through. Newest-first listings (campaigns, orders, events) also refuse the cursor of an
 * ascending-id listing.
 */
export function cursorTests(options: StorageConformanceOptions): void {
  describe(`${options.name ?? 'storage'}: cursors`, () => {
    const h = useStorage(options);
    const skip = options.skip ?? {};

    /** Every listing, and whether it is newest first (its cursor is not a bare id). */
    function listings(): [string, Listing, boolean][] {
      const s = h.storage;
      const out: [string, Listing, boolean][] = [];
      if (skip.customers !== true) {
        out.push(['customers.list', (o) => s.customers.list(o), false]);
        const query = s.customers.query;
        if (query !== undefined && skip.query !== true) {
          const q = { rules: spendOver(-1), now: at(), catalog: testCatalog() };
          out.push(['customers.query', (o) => query.call(s.customers, q, o), false]);
        }
      }
      if (skip.activity !== true) {
        out.push(['activity.listOrders', (o) => s.activity.listOrders('c1', o), true]);
        out.push(['activity.listEvents', (o) => s.activity.listEvents('c1', o), true]);
      }
      if (skip.segments !== true) out.push(['segments.list', (o) => s.segments.list(o), false]);
      if (skip.campaigns !== true) {
        out.push(['campaigns.list', (o) => s.campaigns.list(o), true]);
        out.push(['campaigns.list by state', (o) => s.campaigns.list({ ...o, states: ['draft'] }), true]);
      }
      if (skip.deliveries !== true) {
        out.push(['deliveries.list', (o) => s.deliveries.list('k1', o), false]);
        out.push([
          'deliveries.list by status',
          (o) => s.deliveries.list('k1', { ...o, statuses: ['pending'] }),
          false,
        ]);
      }
      return out;
    }

    async function populate(): Promise<void> {
      const s = h.storage;
      if (skip.customers !== true || skip.activity !== true) {
        await s.customers.upsertMany(
          [customerUpsert('c1'), customerUpsert('c2'), customerUpsert('c3')],
          at(),
        );
      }
      if (skip.activity !== true) {
        await s.activity.appendOrders([order('o1', 'c1', 100, at(1)), order('o2', 'c1', 200, at(2))], at());
        await s.activity.appendEvents(
          [customerEvent('e1', 'c1', at(1)), customerEvent('e2', 'c1', at(2))],
          at(),
        );
      }
      if (skip.segments !== true) for (const id of ['s1', 's2']) await s.segments.create(segment(id));
      if (skip.campaigns !== true) {
        await s.campaigns.create(campaign('k1', { createdAt: at(1) }));
        await s.campaigns.create(campaign('k2', { createdAt: at(2) }));
      }
      if (skip.deliveries !== true) {
        await s.deliveries.createMany([delivery('k1~c1', 'k1'), delivery('k1~c2', 'k1')]);
      }
    }

    async function expectRefused(list: Listing, cursor: string, where: string): Promise<void> {
      const error = await list({ limit: 1, cursor }).then(
        (page) => new Error(`${where} answered a page of ${page.items.length} for a foreign cursor`),
        (e: unknown) => e,
      );
      expect(error, where).toMatchObject({
        code: 'VALIDATION_FAILED',
        problems: [{ path: ['cursor'], code: 'invalid_cursor', message: expect.any(String) }],
      });
    }

    it('refuses a cursor no listing issued, on an empty store', async () => {
      for (const [name, list, newestFirst] of listings()) {
        for (const [what, cursor] of FOREIGN_CURSORS) await expectRefused(list, cursor, `${name}, ${what}`);
        if (newestFirst) await expectRefused(list, ID_CURSOR, `${name}, an id listing's cursor`);
      }
    });

    it('refuses a cursor no listing issued, on a populated store, and pages on with its own', async () => {
      await populate();
      for (const [name, list, newestFirst] of listings()) {
        for (const [what, cursor] of FOREIGN_CURSORS) await expectRefused(list, cursor, `${name}, ${what}`);
        if (newestFirst) await expectRefused(list, ID_CURSOR, `${name}, an id listing's cursor`);
        const first = await list({ limit: 1 });
        expect(first.nextCursor, `${name} has a second page`).not.toBeNull();
        const second = await list({ limit: 1, cursor: first.nextCursor as string });
        expect(second.items.length, `${name} second page`).toBeGreaterThan(0);
        // The issued cursor with one character changed or cut is no longer one the listing issued.
        const issued = first.nextCursor as string;
        await expectRefused(list, `${issued}!`, `${name}, issued cursor with a stray character`);
        await expectRefused(list, issued.slice(0, -1), `${name}, issued cursor cut short`);
      }
    });
  });
}
