import { compileTemplate, createMiniCrm, defaultFieldCatalog, validateTemplate } from '@minicrm/core';
import { describe, expect, it } from 'vitest';
import { SUGGEST_CHANNELS, SUGGEST_TONES } from '../../src/ai/ai-provider.js';
import {
  detectIntent,
  detectOffer,
  SUGGEST_INTENTS,
  type SuggestIntent,
} from '../../src/ai/offline-intents.js';
import { createOfflineProvider } from '../../src/ai/offline-provider.js';

const OBJECTIVES: Record<SuggestIntent, string> = {
  'win-back': 'Win back customers who have not ordered in 3 months',
  reminder: 'Remind shoppers about items left in their cart',
  event: 'Invite our best customers to the spring open house',
  launch: 'Announce our new summer collection',
  discount: 'Black Friday sale: 25% off everything',
  'thank-you': 'Thank our loyal VIP customers',
  generic: 'Say hello to everyone in the segment',
};

const ai = createOfflineProvider();

describe('detectIntent', () => {
  it.each(Object.entries(OBJECTIVES))('reads %s', (intent, objective) => {
    expect(detectIntent(objective)).toBe(intent);
  });

  it.each([
    ['Re-engage dormant users', 'win-back'],
    ['Bring back people who never visited again — we miss you', 'win-back'],
    ['Subscription renewal is due next week', 'reminder'],
    ['Webinar on Thursday: RSVP', 'event'],
    ['Introducing the new menu', 'launch'],
    ['Promo code for free shipping', 'discount'],
    ['Happy birthday rewards for top spenders', 'thank-you'],
    ['Win back lapsed customers with a 20% discount', 'win-back'],
  ] as const)('%s → %s', (objective, intent) => {
    expect(detectIntent(objective)).toBe(intent);
  });
});

describe('detectOffer', () => {
  it('takes a percentage or free shipping, and only digits from the objective', () => {
    expect(detectOffer('Black Friday: 25 % off')).toBe('25% off');
    expect(detectOffer('Free delivery this weekend')).toBe('free shipping');
    expect(detectOffer('{{ customer.email }} 0%')).toBeUndefined();
    expect(detectOffer('a sale')).toBeUndefined();
  });
});

describe('offline provider', () => {
  it('answers the same variants for the same input, every time', async () => {
    const input = { objective: 'Win back lapsed customers with 20% off', tone: 'playful' as const };
    const first = await ai.suggestMessages(input);
    expect(await createOfflineProvider().suggestMessages(input)).toEqual(first);
    expect(first.provider).toBe('offline');
    expect(first.variants).toHaveLength(3);
    expect(new Set(first.variants.map((v) => v.text)).size).toBe(3);
  });

  it('writes valid templates of at most 160 characters for every intent, tone and channel', async () => {
    for (const intent of SUGGEST_INTENTS) {
      for (const tone of SUGGEST_TONES) {
        for (const channel of SUGGEST_CHANNELS) {
          const objective = `${OBJECTIVES[intent]} with 15% off`;
          const { variants } = await ai.suggestMessages({ objective, tone, channel });
          expect(variants.length).toBeGreaterThanOrEqual(2);
          expect(variants.length).toBeLessThanOrEqual(3);
          for (const { text } of variants) {
            expect(validateTemplate(text, { catalog: defaultFieldCatalog }), text).toEqual([]);
            expect(text.length, text).toBeLessThanOrEqual(160);
            expect(text).toMatch(/\{\{ customer\.(firstName|name) \}\}/);
          }
        }
      }
    }
  });

  it('follows the objective: intent wording and the offer it names', async () => {
    const winBack = await ai.suggestMessages({ objective: OBJECTIVES['win-back'] });
    expect(winBack.variants.map((v) => v.text).join(' ')).toMatch(/miss you|welcome you back|favourites/);
    const sale = await ai.suggestMessages({ objective: 'Summer sale with 30% off' });
    expect(sale.variants.every((v) => v.text.includes('30% off'))).toBe(true);
    const launch = await ai.suggestMessages({
      objective: 'Launch of our new range, 40% off for early birds',
    });
    expect(launch.variants.every((v) => v.text.includes('40% off'))).toBe(true);
    const cart = await ai.suggestMessages({ objective: OBJECTIVES.reminder });
    expect(cart.variants.map((v) => v.text)).not.toEqual(winBack.variants.map((v) => v.text));
  });

  it('follows the tone', async () => {
    const objective = OBJECTIVES.discount;
    const formal = await ai.suggestMessages({ objective, tone: 'formal' });
    const urgent = await ai.suggestMessages({ objective, tone: 'urgent' });
    const friendly = await ai.suggestMessages({ objective });
    expect(formal.variants.every((v) => v.text.includes('{{ customer.name }}'))).toBe(true);
    expect(urgent.variants.map((v) => v.text).join(' ')).toMatch(/quick|hurry|Last call/);
    expect(await ai.suggestMessages({ objective, tone: 'friendly' })).toEqual(friendly);
    expect(formal.variants).not.toEqual(friendly.variants);
  });

  it('renders each variant for a customer', async () => {
    const { variants } = await ai.suggestMessages({ objective: OBJECTIVES['thank-you'], tone: 'formal' });
    const crm = createMiniCrm();
    await crm.customers.upsert({ id: 'c1', name: 'Ada Lovelace', phone: '+15550100001' });
    const customer = await crm.customers.get('c1');
    await crm.close();
    if (customer === null) throw new Error('customer c1 was not stored');
    for (const { text } of variants) {
      const rendered = compileTemplate(text, { catalog: crm.catalog }).render({
        customer,
        campaign: { id: 'cmp_1', name: 'Thanks' },
      });
      expect(rendered).toContain('Ada Lovelace');
      expect(rendered).not.toContain('{{');
    }
  });
});
