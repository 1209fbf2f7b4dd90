import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const generated = fileURLToPath(new URL('./.generated/', import.meta.url));

/** The first ```ts block after `marker` in a README. */
function example(readme: string, marker: string): string {
  const text = readFileSync(`${root}/${readme}`, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${readme} has no "${marker}"`);
  const start = text.indexOf('```ts\n', at);
  const end = text.indexOf('\n```', start + 6);
  return text.slice(start + 6, end);
}

/** Runs a README example as a module and returns what it printed with console.log. */
async function run(name: string, source: string): Promise<unknown[][]> {
  mkdirSync(generated, { recursive: true });
  const file = `${generated}${name}.ts`;
  writeFileSync(file, `${source}\nexport {};\n`);
  const printed: unknown[][] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args);
  });
  await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
  return printed;
}

describe('README examples run as written', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('packages/core/README.md quick start', async () => {
    const printed = await run('core-quick-start', example('packages/core/README.md', '<!-- readme-example'));
    expect(printed[0]).toEqual([2, ['Asha Rao', 'Meera Das']]);
    expect(printed[1]).toEqual([2, 1, 1]);
    expect(printed[2]).toEqual([["c1: sent Hi Asha, here's 10% off on your next order!", 'c3: skipped ']]);
  });

  it('README.md SDK example', async () => {
    const printed = await run('root-sdk', example('README.md', '## The SDK in a few lines'));
    const [preview] = printed[0] as [{ count: number; sample: { id: string }[] }];
    expect(preview.count).toBe(1);
    expect(preview.sample.map((c) => c.id)).toEqual(['c1']);
    const [stats] = printed[1] as [{ total: number; byStatus: Record<string, number> }];
    expect(stats.total).toBe(1);
    expect(stats.byStatus.sent).toBe(1);
  });
});
