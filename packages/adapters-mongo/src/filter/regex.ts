/**
 * Escapes text for a regular expression read by both PCRE (MongoDB) and RE2 (FerretDB): regex
 * metacharacters get a backslash (both engines read a backslash before ASCII punctuation as that
 * character), and NUL, which a BSON regex cannot hold, becomes `\x00`.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&').replace(/\0/g, '\\x00');
}
