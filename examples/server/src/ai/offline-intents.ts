/**
 * What a campaign objective is about, read from its words, and the message parts the offline
 * provider writes for each intent and tone.
 */
import type { SuggestTone } from './ai-provider.js';

/** The kinds of campaign the offline provider recognises. */
export const SUGGEST_INTENTS = [
  'win-back',
  'reminder',
  'event',
  'launch',
  'discount',
  'thank-you',
  'generic',
] as const;

/** The kind of campaign an objective describes. */
export type SuggestIntent = (typeof SUGGEST_INTENTS)[number];

/** Checked in this order: the first intent whose pattern matches wins (`generic` matches nothing). */
const PATTERNS: readonly (readonly [SuggestIntent, RegExp])[] = [
  [
    'win-back',
    /\b(win[\s-]?back|re-?engag\w*|re-?activat\w*|lapsed|inactive|dormant|churn\w*|miss(ed)? (you|us)|come back|lost customers|(not|n't|never) (ordered|visited|bought|purchased|shopped|been back)|no (visit|order|purchase)s?)\b/i,
  ],
  [
    'reminder',
    /\b(cart|basket|checkout|remind\w*|renew\w*|expir\w*|left behind|forgot\w*|abandon\w*|appointment|restock\w*)\b/i,
  ],
  [
    'event',
    /\b(event|invite|invitation|webinar|workshop|meetup|party|rsvp|open house|conference|tasting|gala|opening)s?\b/i,
  ],
  [
    'launch',
    /\b(launch\w*|new (product|arrival|collection|feature|menu|range|line|season|flavou?r|store)s?|introduc\w*|just (landed|arrived|dropped)|announc\w*|unveil\w*|debut)\b/i,
  ],
  [
    'discount',
    /(\b(discount\w*|sale|sales|coupon|promo\w*|deal|deals|offer|clearance|black friday|cyber monday|bogo|free shipping|free delivery)\b|\d\s?%|% off)/i,
  ],
  [
    'thank-you',
    /\b(thank\w*|loyal\w*|vip|appreciat\w*|anniversar\w*|birthday|reward\w*|top (customer|spender|buyer)s?|milestone|big spenders?|best customers?)\b/i,
  ],
];

/**
 * The intent of an objective: the first of win-back, reminder, event, launch, discount, thank-you
 * whose words it uses, else `generic`.
 *
 * @example
 * detectIntent('Bring back customers who have not ordered in 90 days'); // 'win-back'
 */
export function detectIntent(objective: string): SuggestIntent {
  for (const [intent, pattern] of PATTERNS) if (pattern.test(objective)) return intent;
  return 'generic';
}

/**
 * The offer an objective names, as message text: a percentage (`20% off`), or free shipping;
 * `undefined` when it names none. Only digits are taken from the objective, so the text is always
 * safe inside a template.
 */
export function detectOffer(objective: string): string | undefined {
  const percent = /(\d{1,2})\s?%/.exec(objective);
  if (percent !== null && Number(percent[1]) > 0) return `${Number(percent[1])}% off`;
  if (/\bfree (shipping|delivery)\b/i.test(objective)) return 'free shipping';
  return undefined;
}

/** Message bodies per intent; `{offer}` is replaced by the objective's offer or a default. */
export const BODIES: Readonly<Record<SuggestIntent, readonly [string, string, string]>> = {
  'win-back': [
    'we miss you! Come back and enjoy {offer} on your next order.',
    "it's been a while. Here's {offer} to welcome you back.",
    'your favourites are still here, and so is {offer} just for you.',
  ],
  reminder: [
    'you left something in your cart. It is saved and waiting for you.',
    'a quick reminder: your picks are ready whenever you are.',
    'still thinking it over? Complete your order today.',
  ],
  event: [
    "you're invited! Join us for a special event.",
    "save the date: we'd love to see you at our upcoming event.",
    "we're hosting an event and you're on the guest list.",
  ],
  launch: [
    'something new just landed. Be among the first to see it.',
    'meet our latest arrival, made with you in mind.',
    'our new collection is here. Take a look before everyone else.',
  ],
  discount: [
    'enjoy {offer} on your next order.',
    'our sale is on, with {offer} for you.',
    "here's {offer}, just for you.",
  ],
  'thank-you': [
    'thank you for being one of our best customers.',
    "thanks for shopping with us. Here's {offer} on your next order.",
    "you're a VIP to us. Enjoy early access to our newest picks.",
  ],
  generic: [
    'we have something special for you.',
    "here's what's new this week. Come take a look.",
    'thanks for being with us. Something new is waiting for you.',
  ],
};

/** Greetings per tone. */
export const OPENERS: Readonly<Record<SuggestTone, readonly [string, string, string]>> = {
  friendly: [
    'Hi {{ customer.firstName }},',
    'Hey {{ customer.firstName }},',
    'Hello {{ customer.firstName }},',
  ],
  formal: ['Dear {{ customer.name }},', 'Hello {{ customer.name }},', 'Dear {{ customer.name }},'],
  playful: [
    'Psst, {{ customer.firstName }}!',
    'Guess what, {{ customer.firstName }}?',
    'Ooh, {{ customer.firstName }}!',
  ],
  urgent: [
    '{{ customer.firstName }}, quick:',
    'Last call, {{ customer.firstName }}:',
    '{{ customer.firstName }}, hurry:',
  ],
};

/** Sign-offs per tone. */
export const CLOSERS: Readonly<Record<SuggestTone, readonly [string, string, string]>> = {
  friendly: ['See you soon!', 'Enjoy!', 'We hope to see you soon.'],
  formal: ['Kind regards.', 'With our thanks.', 'We look forward to serving you.'],
  playful: ["Don't be a stranger!", 'Treat yourself!', 'Go on, you deserve it!'],
  urgent: ['Today only!', "Don't miss out!", 'Act now!'],
};
