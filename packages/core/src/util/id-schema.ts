import { z } from 'zod';

/** A caller-chosen id for segments and campaigns: 1–128 letters, digits, `_`, `.`, `:` or `-` (never `~`). */
export const entityIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, "_", ".", ":" and "-" only');
