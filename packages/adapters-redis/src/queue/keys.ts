/**
 * The Redis keys of one job queue. Every key carries the hash tag `{name}`, so all keys of a queue
 * live in one Redis Cluster slot and the queue's Lua scripts are valid on a cluster.
 */
export interface RedisQueueKeys {
  /** Stream of ready and in-flight jobs (entry fields `j` = job id, `p` = payload); consumed by the group. */
  readonly stream: string;
  /** Sorted set of delayed job ids, scored by the epoch ms (Redis server time) they fall due. */
  readonly delayed: string;
  /** Hash job id → encoded payload, for every job in the queue (ready, delayed or in flight). */
  readonly jobs: string;
  /** Stream of dead-lettered jobs (fields `j`, `p`, `n` = hand-outs, `at` = epoch ms). */
  readonly dead: string;
  /** String holding the `XAUTOCLAIM` cursor, so reclaim scans resume where the last one stopped. */
  readonly claimCursor: string;
}

/**
 * The keys of the queue `name` under `prefix`: `${prefix}:q:{${name}}:stream`, `:delayed`, `:jobs`,
 * `:dead` and `:claim-cursor`.
 *
 * @example
 * queueKeys('minicrm', 'send').stream; // 'minicrm:q:{send}:stream'
 */
export function queueKeys(prefix: string, name: string): RedisQueueKeys {
  if (name.length === 0 || /[{}]/.test(name)) {
    throw new TypeError(`invalid queue name "${name}": it must be non-empty and contain no braces`);
  }
  const base = `${prefix}:q:{${name}}`;
  return {
    stream: `${base}:stream`,
    delayed: `${base}:delayed`,
    jobs: `${base}:jobs`,
    dead: `${base}:dead`,
    claimCursor: `${base}:claim-cursor`,
  };
}
