/** A hand-out, as its token names it: the stream entry and the entry's delivery counter. */
export interface HandOut {
  readonly entryId: string;
  readonly deliveries: number;
}

const TOKEN = /^(\d+-\d+)\/(\d+)$/;

/** The token of a hand-out: `${entryId}/${deliveries}`. */
export function formatToken(entryId: string, deliveries: number): string {
  return `${entryId}/${deliveries}`;
}

/** The hand-out a token names, or `null` for a token this queue did not make. */
export function parseToken(token: string): HandOut | null {
  const match = TOKEN.exec(token);
  if (match === null) return null;
  return { entryId: match[1] as string, deliveries: Number(match[2]) };
}
