/**
 * campaign-memory: a campaign on the embedded default (memory storage, memory queue, simulator at
 * zero latency, 90/10), from launch to completion. Reports deliveries/s side by side with a bare
 * loop doing only the per-recipient work (render + simulator send, no storage, no queue), and peak
 * RSS at two audience sizes to show memory grows only by the stored records.
 *
 * Run alone: `pnpm tsx bench/campaign-memory.ts`. Each size runs in its own process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Customer, compileTemplate, createMiniCrm, createSimulatorChannel } from '@minicrm/core';
import { report, result } from './result.js';

const TEMPLATE = "Hi {{ customer.name }}, here's 10% off on your next order!";
const SIZES = [25_000, 100_000];

interface SizeRun {
  readonly n: number;
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly bareLoopPerSecond: number;
  readonly rssAfterLoadMb: number;
  readonly peakRssMb: number;
  readonly sent: number;
  readonly failed: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

async function runSize(n: number): Promise<SizeRun> {
  const crm = createMiniCrm({
    channels: [createSimulatorChannel({ name: 'sms', seed: 7 })],
    retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    launchBatchSize: 2000,
  });
  const batch = 5000;
  for (let i = 0; i < n; i += batch) {
    const customers = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      customers.push({
        id: `cust-${String(j).padStart(7, '0')}`,
        name: `Customer ${j}`,
        phone: `+1555${String(j).padStart(7, '0')}`,
      });
    }
    await crm.customers.upsert(customers);
  }
  globalThis.gc?.();
  const rssAfterLoad = process.memoryUsage().rss;

  const worker = crm.createWorker({ batchSize: 1000, blockMs: 5, maintenanceIntervalMs: 50 });
  worker.start();
  const campaign = await crm.campaigns.create({
    name: 'Benchmark',
    channel: 'sms',
    template: TEMPLATE,
    rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
  });
  const t0 = performance.now();
  await crm.campaigns.launch(campaign.id);
  await crm.waitForCampaign(campaign.id, { timeoutMs: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const stats = await crm.campaigns.stats(campaign.id);
  await crm.close();
  if (stats.total !== n || stats.byStatus.sent + stats.byStatus.failed !== n) {
    throw new Error(`campaign did not settle every delivery: ${JSON.stringify(stats)}`);
  }

  // The bare loop: the same per-recipient work with no engine around it.
  const channel = createSimulatorChannel({ name: 'sms', seed: 7 });
  const template = compileTemplate(TEMPLATE, { catalog: crm.catalog });
  const page = await crm.customers.list({ limit: 1000 });
  const sample = page.items as Customer[];
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    const customer = sample[i % sample.length] as Customer;
    const body = template.render({ customer, campaign: { id: campaign.id, name: campaign.name } });
    await channel.send(
      {
        deliveryId: `d${i}`,
        campaignId: campaign.id,
        customerId: customer.id,
        to: customer.phone ?? '',
        body,
      },
      { idempotencyKey: `k${i}`, attempt: 1 },
    );
  }
  const bareSeconds = (performance.now() - t1) / 1000;

  return {
    n,
    seconds,
    deliveriesPerSecond: n / seconds,
    bareLoopPerSecond: n / bareSeconds,
    rssAfterLoadMb: mb(rssAfterLoad),
    peakRssMb: mb(peakRss),
    sent: stats.byStatus.sent,
    failed: stats.byStatus.failed,
  };
}

async function main(): Promise<void> {
  const childN = process.env.CAMPAIGN_BENCH_N;
  if (childN !== undefined) {
    console.log(`CHILD ${JSON.stringify(await runSize(Number(childN)))}`);
    return;
  }
  const runs: SizeRun[] = [];
  for (const n of SIZES) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)],
      {
        env: { ...process.env, CAMPAIGN_BENCH_N: String(n) },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = child.stdout.split('\n').find((l) => l.startsWith('CHILD '));
    if (child.status !== 0 || line === undefined) throw new Error(`campaign bench for ${n} failed`);
    const run = JSON.parse(line.slice(6)) as SizeRun;
    console.log(
      `${n} recipients: ${run.seconds.toFixed(2)} s, ${Math.round(run.deliveriesPerSecond)} deliveries/s ` +
        `(bare loop ${Math.round(run.bareLoopPerSecond)}/s), sent ${run.sent}, failed ${run.failed}, ` +
        `RSS after load ${run.rssAfterLoadMb.toFixed(0)} MB, peak ${run.peakRssMb.toFixed(0)} MB`,
    );
    runs.push(run);
  }
  const small = runs[0] as SizeRun;
  const big = runs[1] as SizeRun;
  const perDelivery = (r: SizeRun) => ((r.peakRssMb - r.rssAfterLoadMb) * 1024 * 1024) / r.n;
  report([
    result(
      'campaign-memory',
      'deliveries/s',
      big.deliveriesPerSecond,
      'bare loop: render + simulator send, no engine',
      big.bareLoopPerSecond,
    ),
    result(
      'campaign-memory-vs-target',
      'deliveries/s',
      big.deliveriesPerSecond,
      'target 100,000 deliveries/s',
      100_000,
    ),
    result(
      'campaign-memory-peak-rss',
      'MB',
      big.peakRssMb,
      'RSS after loading the 100,000 customers',
      big.rssAfterLoadMb,
    ),
    result(
      'campaign-memory-bytes-per-delivery',
      'bytes/delivery',
      perDelivery(big),
      `same at ${small.n.toLocaleString('en')} recipients (ratio ≈ 1: flat)`,
      perDelivery(small),
    ),
  ]);
}

await main();
