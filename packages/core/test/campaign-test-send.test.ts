import { describe, expect, it } from 'vitest';
import {
  type Channel,
  createMiniCrm,
  createSimulatorChannel,
  NotFoundError,
  type OutboundMessage,
  type SendContext,
  ValidationError,
} from '../src/index.js';

function setup(channel: Channel = createSimulatorChannel({ name: 'sms', successRate: 1 })) {
  const crm = createMiniCrm({ channels: [channel] });
  return { crm, channel };
}

async function draft(crm: ReturnType<typeof createMiniCrm>) {
  await crm.customers.upsert([
    { id: 'c1', name: 'Asha Rao', phone: '+919800000001' },
    { id: 'c2', name: 'Ravi Iyer' },
  ]);
  return crm.campaigns.create({
    name: 'Hello',
    channel: 'sms',
    template: 'Hi {{ customer.firstName }} from {{ campaign.name }}',
    rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
  });
}

describe('campaigns.testSend', () => {
  it("renders the message for the customer and sends it to the customer's address, storing nothing", async () => {
    const sent: [OutboundMessage, SendContext][] = [];
    const channel: Channel = {
      name: 'sms',
      async send(message, context) {
        sent.push([message, context]);
        return { status: 'accepted', vendorMessageId: 'v1' };
      },
    };
    const { crm } = setup(channel);
    const campaign = await draft(crm);
    const result = await crm.campaigns.testSend(campaign.id, { customerId: 'c1' });
    expect(result).toEqual({
      channel: 'sms',
      to: '+919800000001',
      message: 'Hi Asha from Hello',
      result: { status: 'accepted', vendorMessageId: 'v1' },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toMatchObject({
      campaignId: campaign.id,
      customerId: 'c1',
      body: 'Hi Asha from Hello',
    });
    const again = await crm.campaigns.testSend(campaign.id, { customerId: 'c1', to: '+15550100' });
    expect(again.to).toBe('+15550100');
    expect(sent[1]?.[1].idempotencyKey).not.toBe(sent[0]?.[1].idempotencyKey);
    expect((await crm.campaigns.get(campaign.id))?.state).toBe('draft');
    expect((await crm.campaigns.stats(campaign.id)).total).toBe(0);
    await crm.close();
  });

  it('refuses an unreachable customer without `to`, an unknown customer or campaign, and bad input', async () => {
    const { crm } = setup();
    const campaign = await draft(crm);
    await expect(crm.campaigns.testSend(campaign.id, { customerId: 'c2' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [{ path: ['customerId'], code: 'no_address' }],
    });
    await expect(crm.campaigns.testSend(campaign.id, { customerId: 'nobody' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(crm.campaigns.testSend('cmp_missing', { customerId: 'c1' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const error = await crm.campaigns
      .testSend(campaign.id, { customerId: 3, to: '', extra: 1 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
      ['customerId'],
      ['to'],
      ['extra'],
    ]);
    await crm.close();
  });

  it('reports a channel that throws as a rejection', async () => {
    const { crm } = setup({
      name: 'sms',
      async send() {
        throw new Error('socket hang up');
      },
    });
    const campaign = await draft(crm);
    const result = await crm.campaigns.testSend(campaign.id, { customerId: 'c1' });
    expect(result.result).toEqual({ status: 'rejected', retryable: true, error: 'socket hang up' });
    await crm.close();
  });
});
