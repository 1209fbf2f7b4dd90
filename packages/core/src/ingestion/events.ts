import type { CustomerEvent } from '../domain/activity.js';
import { type ActivityIngestResult, type ActivityKind, ingestActivity } from './activity.js';
import type { IngestionDeps, IngestOptions } from './deps.js';
import { checkEvent } from './schemas.js';

/** What {@link ingestEvents} did. */
export type EventIngestResult = ActivityIngestResult;

const eventKind: ActivityKind<CustomerEvent> = {
  what: 'events',
  check: checkEvent,
  append: (deps, events, now) => deps.storage.activity.appendEvents(events, now),
};

/**
 * Records one event or an array of them (`type` defaults to `visit`), idempotent by event id. A new
 * `visit` increments the customer's `visits` and moves `lastVisitAt`; other types are only recorded.
 * Unknown customers and invalid items are handled as in `ingestOrders`.
 *
 * @example
 * await ingestEvents(deps, { id: 'e1', customerId: 'c1', at: '2024-05-01T10:00:00Z' });
 */
export function ingestEvents(
  deps: IngestionDeps,
  input: unknown,
  options: IngestOptions = {},
): Promise<EventIngestResult> {
  return ingestActivity(deps, eventKind, input, options);
}
