import type { RuleGroup } from '../segment/types.js';

/** A named, saved rule tree. */
export interface Segment {
  readonly id: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly rules: RuleGroup;
  /** Incremented on every update; used for optimistic concurrency. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
