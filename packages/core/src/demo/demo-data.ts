import type { AttributeDeclaration } from '../segment/catalog.js';
import { createRandom } from '../util/random.js';

/** A generated customer, in the shape `customers.upsert` accepts. */
export interface DemoCustomer {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly attributes: { readonly city: string; readonly tags: readonly string[] };
  readonly subscriptions: Readonly<Record<string, boolean>>;
}

/** A generated order, in the shape `customers.addOrders` accepts (amount as a decimal string). */
export interface DemoOrder {
  readonly id: string;
  readonly customerId: string;
  readonly amount: string;
  readonly createdAt: string;
}

/** A generated visit, in the shape `customers.addEvents` accepts. */
export interface DemoVisit {
  readonly id: string;
  readonly customerId: string;
  readonly type: 'visit';
  readonly at: string;
}

/** Generated demo data. */
export interface DemoData {
  readonly customers: readonly DemoCustomer[];
  readonly orders: readonly DemoOrder[];
  readonly visits: readonly DemoVisit[];
}

/** Options of {@link generateDemoData}. */
export interface DemoDataOptions {
  /** Number of customers. @default 1000 */
  readonly customers?: number;
  /** Seed: the same seed gives the same data. @default 42 */
  readonly seed?: number;
  /** Orders and visits fall in the year before this instant. @default now */
  readonly now?: Date;
}

/** The custom attributes the demo data uses; pass them to `createMiniCrm({ attributes })`. */
export const DEMO_ATTRIBUTES: readonly AttributeDeclaration[] = [
  {
    name: 'city',
    type: 'enum',
    label: 'City',
    options: ['Mumbai', 'Delhi', 'Bengaluru', 'Pune', 'Chennai', 'Kolkata'],
  },
  { name: 'tags', type: 'tags', label: 'Tags' },
];

const FIRST = [
  'Aarav',
  'Vivaan',
  'Aditya',
  'Diya',
  'Ananya',
  'Isha',
  'Kabir',
  'Meera',
  'Rohan',
  'Saanvi',
  'Arjun',
  'Zara',
];
const LAST = [
  'Sharma',
  'Verma',
  'Iyer',
  'Reddy',
  'Nair',
  'Gupta',
  'Khan',
  'Das',
  'Mehta',
  'Rao',
  'Singh',
  'Bose',
];
const TAGS = ['vip', 'newsletter', 'wholesale', 'app-user', 'returning'];
const DAY = 86_400_000;

/**
 * Generates a deterministic, realistic-looking data set: customers with phones, emails, a city and
 * tags; 0–8 orders each (some big spenders); 0–12 visits each (about one in six never visited).
 */
export function generateDemoData(options: DemoDataOptions = {}): DemoData {
  const n = options.customers ?? 1000;
  const random = createRandom(options.seed ?? 42);
  const now = (options.now ?? new Date()).getTime();
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const customers: DemoCustomer[] = [];
  const orders: DemoOrder[] = [];
  const visits: DemoVisit[] = [];
  const width = String(n).length;
  for (let i = 1; i <= n; i++) {
    const id = `cus_${String(i).padStart(width, '0')}`;
    const first = pick(FIRST);
    const last = pick(LAST);
    const tags = TAGS.filter(() => random() < 0.25);
    customers.push({
      id,
      name: `${first} ${last}`,
      ...(random() < 0.9 ? { email: `${first}.${last}.${i}@example.com`.toLowerCase() } : {}),
      ...(random() < 0.95 ? { phone: `+9198${String(int(0, 99_999_999)).padStart(8, '0')}` } : {}),
      attributes: { city: pick(DEMO_ATTRIBUTES[0]?.options as string[]), tags },
      subscriptions: random() < 0.03 ? { sms: false } : {},
    });
    const big = random() < 0.2;
    const orderCount = int(0, 8);
    for (let k = 1; k <= orderCount; k++) {
      const minor = big ? int(1_000_00, 9_000_00) : int(99, 2_500_00);
      orders.push({
        id: `ord_${i}_${k}`,
        customerId: id,
        amount: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`,
        createdAt: new Date(now - int(0, 365) * DAY - int(0, DAY - 1)).toISOString(),
      });
    }
    const visitCount = random() < 1 / 6 ? 0 : int(1, 12);
    const recent = random() < 0.6;
    for (let k = 1; k <= visitCount; k++) {
      const daysAgo = recent ? int(0, 120) : int(95, 365);
      visits.push({
        id: `vis_${i}_${k}`,
        customerId: id,
        type: 'visit',
        at: new Date(now - daysAgo * DAY - int(0, DAY - 1)).toISOString(),
      });
    }
  }
  return { customers, orders, visits };
}
