import type { ReceiptStore } from '@minicrm/core';
import type { StoreContext } from '../context.js';
import { insertOwned } from '../write.js';
import { existingIds } from './journal.js';

/**
 * A `ReceiptStore` on MongoDB: one document per receipt id; the unique `_id` is the dedupe.
 * `recordMany` is one unordered `insertMany`; the ids whose insert hit a duplicate key were seen before.
 */
export function createMongoReceiptStore(ctx: StoreContext): ReceiptStore {
  const receipts = ctx.collections.receipts;
  return {
    async recordMany(ids: readonly string[]): Promise<readonly string[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      const inserted = await insertOwned(
        receipts,
        unique.map((_id) => ({ _id })),
      );
      return unique.filter((_, i) => inserted.has(i));
    },

    async seen(ids: readonly string[]): Promise<ReadonlySet<string>> {
      return existingIds(receipts, ids);
    },
  };
}
