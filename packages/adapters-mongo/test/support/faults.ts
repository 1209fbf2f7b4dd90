import { type Collection, type Db, MongoServerError } from 'mongodb';

/** The write methods the storage uses; each is one command to the server. */
const WRITES = new Set(['insertMany', 'insertOne', 'bulkWrite', 'replaceOne', 'updateOne', 'deleteOne']);

/** What happens to one write: it runs as usual, or fails in one of three ways. */
export type Fault =
  /** Runs as usual. */
  | 'none'
  /** Not sent: the process stops just before this write (the error propagates). */
  | 'crash-before'
  /** Applied by the server, then the process stops before it reads the reply. */
  | 'crash-after'
  /**
   * Applied by the server, but its reply is lost as a transient error, which the storage retries
   * (the retry meets the write already done).
   */
  | 'lost-reply'
  /** Sent after a pause (a slow process: a pause, a busy event loop). */
  | { readonly delayMs: number };

/** Decides the fault of each write (`collection` is the name without the prefix's database). */
export type FaultPlan = (collection: string, method: string) => Fault;

/** The error of an injected crash. */
export class InjectedCrash extends Error {
  constructor(collection: string, method: string, when: string) {
    super(`injected crash ${when} ${collection}.${method}`);
    this.name = 'InjectedCrash';
  }
}

function faultyCollection<T extends Collection>(collection: T, plan: FaultPlan): T {
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !WRITES.has(property) || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        const fault = plan(target.collectionName, property);
        if (typeof fault === 'object') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault === 'crash-before') throw new InjectedCrash(target.collectionName, property, 'before');
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (fault === 'crash-after') throw new InjectedCrash(target.collectionName, property, 'after');
        if (fault === 'lost-reply') {
          // What the storage treats as transient (FerretDB's busy error), so it retries the write.
          throw new MongoServerError({ message: 'database is locked (SQLITE_BUSY): injected lost reply' });
        }
        return result;
      };
    },
  });
}

/**
 * `db`, with every write of every collection run through `plan`: the real server still does the
 * work, the faults only cut the process short at chosen points (or lose a reply).
 */
export function faultyDb(db: Db, plan: FaultPlan): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'collection') {
        return (name: string, options?: object) => faultyCollection(target.collection(name, options), plan);
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
