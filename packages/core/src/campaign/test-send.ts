import { resolveRecipient } from '../channel/address.js';
import type { Campaign } from '../domain/campaign.js';
import type { Customer } from '../domain/customer.js';
import type { EngineContext } from '../engine/context.js';
import { NotFoundError, type Problem, TemplateError, ValidationError } from '../errors.js';
import type { SendResult } from '../ports/channel.js';
import { compileTemplate } from '../template/compile.js';

/** What `campaigns.testSend` accepts. */
export interface TestSendInput {
  /** The customer the message is rendered for (and sent to, unless `to` is given). */
  readonly customerId: string;
  /** Send to this address instead of the customer's own (e.g. your own phone). */
  readonly to?: string;
}

/** What a test send did. */
export interface TestSendResult {
  /** The campaign's channel. */
  readonly channel: string;
  /** Where the message went. */
  readonly to: string;
  /** The rendered message. */
  readonly message: string;
  /** The channel's answer. A channel that throws is reported as a rejection. */
  readonly result: SendResult;
}

function checkInput(input: unknown): TestSendInput {
  const problems: Problem[] = [];
  const value = (input ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('invalid test send', [
      { path: [], code: 'invalid_type', message: 'must be an object { customerId, to? }' },
    ]);
  }
  if (typeof value.customerId !== 'string' || value.customerId.trim() === '') {
    problems.push({ path: ['customerId'], code: 'invalid_type', message: 'must be a non-empty string' });
  }
  if (value.to !== undefined && (typeof value.to !== 'string' || value.to.trim() === '')) {
    problems.push({ path: ['to'], code: 'invalid_type', message: 'must be a non-empty string' });
  }
  for (const key of Object.keys(value)) {
    if (key !== 'customerId' && key !== 'to') {
      problems.push({ path: [key], code: 'unknown_field', message: `unknown field "${key}"` });
    }
  }
  if (problems.length > 0) throw new ValidationError('invalid test send', problems);
  return value as unknown as TestSendInput;
}

/**
 * The campaign's message for one customer. A template that cannot be rendered for them (their data
 * takes it past a template limit, a filter fails on a value) throws `TemplateError` naming the customer.
 */
function renderFor(campaign: Campaign, customer: Customer, ctx: EngineContext): string {
  const template = compileTemplate(campaign.template, { catalog: ctx.catalog });
  try {
    return template.render({ customer, campaign: { id: campaign.id, name: campaign.name } });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new TemplateError(
      error.problems.map((p) => ({ ...p, message: `for customer "${customer.id}": ${p.message}` })),
    );
  }
}

/**
 * Renders a campaign's message for one customer and sends it once through the campaign's channel,
 * in any campaign state. Nothing is stored: no delivery, no stats; the idempotency key is fresh per
 * call. Without `to`, the customer must be reachable on the channel (subscribed, with an address).
 */
export async function testSendCampaign(
  ctx: EngineContext,
  campaign: Campaign,
  input: unknown,
): Promise<TestSendResult> {
  const { customerId, to } = checkInput(input);
  const customer = await ctx.storage.customers.get(customerId);
  if (customer === null) throw new NotFoundError('customer', customerId);
  const channel = ctx.channels.get(campaign.channel);
  if (channel === undefined) {
    throw new ValidationError('cannot test-send campaign', [
      {
        path: ['channel'],
        code: 'unknown_channel',
        message: `channel "${campaign.channel}" is not registered`,
      },
    ]);
  }
  let address = to;
  if (address === undefined) {
    const recipient = resolveRecipient(channel, customer);
    if (!recipient.ok) {
      throw new ValidationError('cannot test-send campaign', [
        {
          path: ['customerId'],
          code: recipient.reason,
          message: `customer "${customerId}" cannot be reached on ${channel.name} (${recipient.reason}); give "to"`,
        },
      ]);
    }
    address = recipient.address;
  }
  const message = renderFor(campaign, customer, ctx);
  const key = ctx.ids.next('test_');
  let result: SendResult;
  try {
    result = await channel.send(
      {
        deliveryId: `${key}~${campaign.id}`,
        campaignId: campaign.id,
        customerId,
        to: address,
        body: message,
      },
      { idempotencyKey: key, attempt: 1 },
    );
  } catch (error) {
    result = {
      status: 'rejected',
      retryable: true,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  return { channel: channel.name, to: address, message, result };
}
