/**
 * The default AI provider: no network, no model. It reads the objective's intent and offer and
 * writes template variants from fixed parts, the same way every time.
 */
import { fnv1a32 } from '@minicrm/core';
import type { AiProvider, SuggestInput, SuggestResult, SuggestTone } from './ai-provider.js';
import {
  BODIES,
  CLOSERS,
  detectIntent,
  detectOffer,
  OPENERS,
  type SuggestIntent,
} from './offline-intents.js';
import { SMS_MAX_CHARS } from './suggestion-check.js';

/** Offer used when the objective names none. */
const DEFAULT_OFFER = '10% off';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function compose(opener: string, body: string, closer: string): string {
  // After a comma or colon the body goes on in lower case; after ! or ? it starts a sentence.
  const joined = /[,:]$/.test(opener) ? body : capitalize(body);
  return `${opener} ${joined} ${closer}`;
}

/** The three variants for an intent, tone and offer; `rotation` picks which parts go together. */
function variants(
  intent: SuggestIntent,
  tone: SuggestTone,
  offer: string | undefined,
  rotation: number,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    let body = BODIES[intent][i]!;
    if (body.includes('{offer}')) body = body.replace('{offer}', offer ?? DEFAULT_OFFER);
    else if (offer !== undefined) body = `${body} Enjoy ${offer}.`;
    const opener = OPENERS[tone][(i + rotation) % 3]!;
    const closer = CLOSERS[tone][(i + 2 * rotation) % 3]!;
    let text = compose(opener, body, closer);
    if (text.length > SMS_MAX_CHARS) text = compose(opener, body, '').trimEnd();
    out.push(text);
  }
  return out;
}

/**
 * Creates the offline provider (`name: 'offline'`). It recognises win-back, reminder (cart,
 * renewal), event, launch, discount and thank-you objectives (else writes generic messages), takes
 * a percentage or free shipping from the objective into the text, and writes three variants in
 * the asked tone. Every variant is a valid template reading only `customer.name` or
 * `customer.firstName`, at most 160 characters long. The same input always gives the same output.
 *
 * @example
 * const ai = createOfflineProvider();
 * await ai.suggestMessages({ objective: 'Win back lapsed customers with 20% off', tone: 'friendly' });
 * // { provider: 'offline', variants: [{ text: 'Hi {{ customer.firstName }}, we miss you! …' }, …] }
 */
export function createOfflineProvider(): AiProvider {
  return {
    name: 'offline',
    async suggestMessages(input: SuggestInput): Promise<SuggestResult> {
      const objective = input.objective.trim();
      const rotation = fnv1a32(objective.toLowerCase()) % 3;
      const texts = variants(
        detectIntent(objective),
        input.tone ?? 'friendly',
        detectOffer(objective),
        rotation,
      );
      return { provider: 'offline', variants: texts.map((text) => ({ text })) };
    },
  };
}
