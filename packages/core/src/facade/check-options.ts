import { type Problem, ValidationError } from '../errors.js';
import { currencyInfo } from '../money/currency.js';
import type { Channel } from '../ports/channel.js';
import { resolveRetrySettings } from '../retry/retry-policy.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { createFieldCatalog } from '../segment/create-catalog.js';
import { checkInteger } from '../util/check-integer.js';
import type { MiniCrmOptions } from './minicrm.js';

/** What the checked options resolve to. */
export interface CheckedOptions {
  readonly currency: { readonly code: string; readonly exponent: number };
  readonly catalog: FieldCatalog;
  readonly channels: ReadonlyMap<string, Channel>;
}

function problemsOf(error: unknown, prefix: readonly (string | number)[]): Problem[] {
  if (!(error instanceof ValidationError)) throw error;
  return error.problems.map((p) => ({
    ...p,
    path: [...prefix, ...p.path.filter((part, i) => !(i === 0 && part === prefix[0]))],
  }));
}

/**
 * Checks `createMiniCrm` options all at once and resolves the currency, the field catalog and the
 * channel map. Throws one `ValidationError('invalid MiniCRM options')` listing every problem.
 */
export function checkMiniCrmOptions(
  options: MiniCrmOptions,
  defaultChannels: () => Channel[],
): CheckedOptions {
  const problems: Problem[] = [];
  let currency: CheckedOptions['currency'] = { code: 'USD', exponent: 2 };
  try {
    currency = currencyInfo(options.currency ?? 'USD');
  } catch (error) {
    problems.push(...problemsOf(error, ['currency']));
  }
  let catalog: FieldCatalog | undefined;
  try {
    catalog = createFieldCatalog({ attributes: options.attributes ?? [] });
  } catch (error) {
    problems.push(...problemsOf(error, ['attributes']));
  }
  const channels = new Map<string, Channel>();
  (options.channels ?? defaultChannels()).forEach((channel, i) => {
    if (channels.has(channel.name)) {
      problems.push({
        path: ['channels', i, 'name'],
        code: 'duplicate',
        message: `two channels are named "${channel.name}"`,
      });
    }
    channels.set(channel.name, channel);
  });
  if (options.retry !== undefined && typeof options.retry !== 'function') {
    try {
      resolveRetrySettings(options.retry);
    } catch (error) {
      problems.push(...problemsOf(error, ['retry']));
    }
  }
  checkInteger(problems, ['launchBatchSize'], options.launchBatchSize, 1, 100_000);
  checkInteger(problems, ['launchLeaseMs'], options.launchLeaseMs, 1, 86_400_000);
  checkInteger(problems, ['statsIntervalMs'], options.statsIntervalMs, 0, 3_600_000);
  checkInteger(problems, ['receipts', 'batchSize'], options.receipts?.batchSize, 1, 100_000);
  checkInteger(problems, ['receipts', 'maxWaitMs'], options.receipts?.maxWaitMs, 0, 60_000);
  if (problems.length > 0 || catalog === undefined)
    throw new ValidationError('invalid MiniCRM options', problems);
  return { currency, catalog, channels };
}
