/**
 * Console demo of MiniCRM on the embedded default (memory adapters, simulator channel): seeds demo
 * customers, orders and visits, previews the three classic segments, runs one SMS campaign with
 * live stats, and prints the outcome. `pnpm demo` runs it until the reference server replaces it.
 */
import {
  type CampaignStats,
  createMiniCrm,
  DEMO_ATTRIBUTES,
  DEMO_SEGMENTS,
  generateDemoData,
} from '@minicrm/core';

const crm = createMiniCrm({ attributes: DEMO_ATTRIBUTES, retry: { baseDelayMs: 50, maxDelayMs: 500 } });
const data = generateDemoData({ customers: 5000, seed: 2026 });
await crm.customers.upsert(data.customers);
await crm.customers.addOrders(data.orders);
await crm.customers.addEvents(data.visits);
console.log(
  `Seeded ${data.customers.length} customers, ${data.orders.length} orders, ${data.visits.length} visits.\n`,
);

const segments = Object.fromEntries(Object.entries(DEMO_SEGMENTS).slice(0, 3));
for (const [name, rules] of Object.entries(segments)) {
  const preview = await crm.segments.preview(rules, { sampleSize: 3 });
  console.log(
    `${name.padEnd(34)} ${String(preview.count).padStart(5)} customers, e.g. ${preview.sample.map((c) => c.name).join(', ')}`,
  );
}

const segment = await crm.segments.create({ name: 'Big spenders', rules: segments['Spend > 10,000'] });
const campaign = await crm.campaigns.create({
  name: 'Thank you, big spenders',
  segmentId: segment.id,
  channel: 'sms',
  template: "Hi {{ customer.name }}, here's 10% off on your next order!",
});

let last = '';
await crm.subscribe('campaign.stats', (s: CampaignStats) => {
  const line = `  ${s.state.padEnd(9)} sent ${s.byStatus.sent}, failed ${s.byStatus.failed}, retrying ${s.byStatus.retrying}, queued ${s.byStatus.queued + s.byStatus.pending}, attempts ${s.attempts}`;
  if (line !== last) console.log(line);
  last = line;
});

console.log(`\nLaunching "${campaign.name}" over SMS (simulator: 90% sent, 10% failed, 3 attempts)…`);
const worker = crm.createWorker();
worker.start();
await crm.campaigns.launch(campaign.id);
const done = await crm.waitForCampaign(campaign.id);
const stats = await crm.campaigns.stats(campaign.id);
const sample = (await crm.campaigns.deliveries(campaign.id, { limit: 1, statuses: ['sent'] })).items[0];
await crm.close();

console.log(`\nCampaign ${done.state}: audience ${stats.audienceSize}, deliveries ${stats.total}`);
console.log(
  `  sent ${stats.byStatus.sent}, failed ${stats.byStatus.failed}, skipped ${stats.byStatus.skipped}, attempts ${stats.attempts}, retries ${stats.retries}`,
);
if (sample) console.log(`  e.g. to ${sample.address}: "${sample.message}"`);
console.log('\nThe reference server (examples/server) will replace this console demo.');
