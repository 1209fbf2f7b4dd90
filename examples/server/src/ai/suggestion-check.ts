/**
 * Checks a suggested message before it is offered: a valid MiniCRM template that fits its channel.
 */
import { defaultFieldCatalog, type FieldCatalog, validateTemplate } from '@minicrm/core';
import type { SuggestChannel } from './ai-provider.js';

/** Most characters of template source in an SMS suggestion (one GSM-7 segment). */
export const SMS_MAX_CHARS = 160;

/** Most characters of template source in an email suggestion. */
export const EMAIL_MAX_CHARS = 1000;

/**
 * Why `text` cannot be offered as a message for `channel`, or `null` when it can: it must be
 * non-blank, at most {@link SMS_MAX_CHARS} (sms) or {@link EMAIL_MAX_CHARS} (email) characters,
 * and a Liquid template that parses and reads only variables `catalog` knows (`customer.name`,
 * `customer.firstName`, declared `customer.attributes.*`, …).
 *
 * @param catalog - the field catalog templates are checked against @default core's default catalog
 */
export function suggestionProblem(
  text: string,
  channel: SuggestChannel,
  catalog: FieldCatalog = defaultFieldCatalog,
): string | null {
  if (text.trim() === '') return 'is empty';
  const max = channel === 'sms' ? SMS_MAX_CHARS : EMAIL_MAX_CHARS;
  if (text.length > max) return `is ${text.length} characters long; ${channel} allows ${max}`;
  const problems = validateTemplate(text, { catalog });
  return problems.length === 0 ? null : problems.map((p) => p.message).join('; ');
}
