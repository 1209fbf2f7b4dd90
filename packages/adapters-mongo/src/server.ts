import type { Db } from 'mongodb';
import { SLICE } from './util.js';

/**
 * How the storage writes on the server it talks to, decided once from `buildInfo` (see
 * docs/ferretdb.md): MongoDB gets single atomic updates and whole-batch `bulkWrite`s; FerretDB, whose
 * conditional updates are not atomic and whose bulk results misreport failed operations, gets
 * revision claims and one conditional write per command.
 */
export interface WriteMode {
  /** Serialize every conditional write with a revision claim (`cas.ts`) instead of trusting the server. */
  readonly claims: boolean;
  /** Most conditional writes in one `bulkWrite` (unordered): a whole batch on MongoDB, 1 on FerretDB. */
  readonly bulkChunk: number;
}

/** Whether the server is FerretDB (`buildInfo` reports `ferretdbVersion`). */
export async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

/** The write mode for a server, given the `revisionClaims` option (`'auto'`: claims on FerretDB only). */
export function writeModeFor(ferretDb: boolean, revisionClaims: boolean | 'auto'): WriteMode {
  return {
    claims: revisionClaims === 'auto' ? ferretDb : revisionClaims,
    bulkChunk: ferretDb ? 1 : SLICE,
  };
}

/** The write mode of `db`, asked of the server on first use (and again if that ask failed). */
export function lazyWriteMode(db: Db, revisionClaims: boolean | 'auto'): () => Promise<WriteMode> {
  let chosen: Promise<WriteMode> | undefined;
  return () => {
    if (chosen === undefined) {
      const asked = isFerretDb(db).then((ferretDb) => writeModeFor(ferretDb, revisionClaims));
      asked.catch(() => {
        if (chosen === asked) chosen = undefined;
      });
      chosen = asked;
    }
    return chosen;
  };
}
