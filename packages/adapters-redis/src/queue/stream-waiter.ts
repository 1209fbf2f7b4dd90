import type { Redis } from 'ioredis';

/** What one blocking wait watches. */
export interface StreamWaitRequest {
  readonly stream: string;
  /** Wake when the stream has an entry with a greater id than this. */
  readonly afterId: string;
  /** Server-side block, in ms (at least 1). */
  readonly blockMs: number;
  readonly signal?: AbortSignal | undefined;
}

interface Connection {
  readonly redis: Redis;
  /** Server-side client id (fetched with each wait, as it changes on reconnect). */
  id: Promise<number> | null;
}

interface ActiveWait {
  readonly conn: Connection;
  readonly done: Promise<unknown>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Blocking `XREAD ... BLOCK` waits for a new stream entry, each on its own connection (a blocked
 * connection can do nothing else). A wait takes nothing: it only wakes a consumer, which then takes
 * jobs with the reserve script, so every hand-out is registered atomically.
 *
 * Connections are `duplicate()`s of the queue's client, created on demand, pooled between waits,
 * owned by this waiter and closed by {@link StreamWaiter.close}. An aborted wait is cut short with
 * `CLIENT UNBLOCK`; if that does not take within ~250 ms, its connection is dropped.
 */
export class StreamWaiter {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly active = new Set<ActiveWait>();
  private closed = false;

  constructor(private readonly client: Redis) {}

  /** Waits up to `blockMs` for an entry newer than `afterId`. True if one arrived. */
  async wait(request: StreamWaitRequest): Promise<boolean> {
    if (this.closed || isAborted(request.signal)) return false;
    const conn = this.acquire();
    conn.id = conn.redis.client('ID') as Promise<number>;
    conn.id.catch(noop);
    const op = conn.redis.xread(
      'COUNT',
      1,
      'BLOCK',
      Math.max(1, Math.ceil(request.blockMs)),
      'STREAMS',
      request.stream,
      request.afterId,
    );
    const active: ActiveWait = { conn, done: op.then(noop, noop) };
    this.active.add(active);
    const onAbort = () => void this.interrupt(active);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await op;
      return reply !== null && reply.length > 0;
    } catch (error) {
      if (this.closed || isAborted(request.signal)) return false;
      throw error;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      this.active.delete(active);
      if (this.all.has(conn) && !this.closed) this.idle.push(conn);
    }
  }

  /** Ends every wait (they resolve `false`) and closes every connection this waiter opened. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.active].map((wait) => this.interrupt(wait)));
    const conns = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(conns.map((conn) => quit(conn.redis)));
  }

  private acquire(): Connection {
    const pooled = this.idle.pop();
    if (pooled !== undefined) return pooled;
    const redis = this.client.duplicate({ lazyConnect: false });
    redis.on('error', noop); // it reconnects on its own; failures surface on the commands
    const conn: Connection = { redis, id: null };
    this.all.add(conn);
    return conn;
  }

  private async interrupt(wait: ActiveWait): Promise<void> {
    let settled = false;
    void wait.done.then(() => {
      settled = true;
    });
    for (let attempt = 0; attempt < 25 && !settled; attempt++) {
      try {
        const id = await wait.conn.id;
        if (typeof id === 'number') await this.client.client('UNBLOCK', id);
      } catch {
        // a connection is down: fall through to disconnecting
      }
      await Promise.race([wait.done, sleep(10)]);
    }
    if (!settled) {
      this.all.delete(wait.conn);
      wait.conn.redis.disconnect();
      await wait.done;
    }
  }
}

function noop(): void {}

/** Reads `aborted` afresh (it changes while a wait is awaited). */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
