import { z } from 'zod';

/**
 * The longest id, in UTF-16 code units (JavaScript string length), of everything a caller names:
 * customers, orders, events, segments and campaigns. One limit everywhere, so every id that can be
 * created can be read, listed and acted on (the reference server's routes and OpenAPI use it too).
 * 256 is the limit customer, order and event ids always had; segment and campaign ids follow it.
 */
export const MAX_ID_LENGTH = 256;

/** The characters of a segment or campaign id: letters, digits, `_`, `.`, `:` and `-` (never `~`). */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/** A caller-chosen id for segments and campaigns: 1–{@link MAX_ID_LENGTH} characters of {@link ENTITY_ID_PATTERN}. */
export const entityIdSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(ENTITY_ID_PATTERN, 'use letters, digits, "_", ".", ":" and "-" only');
