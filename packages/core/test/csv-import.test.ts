import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/adapters/memory/index.js';
import { ValidationError } from '../src/errors.js';
import { type CsvImportProgress, importCustomersCsv } from '../src/ingestion/csv-import.js';
import type { Storage } from '../src/ports/storage.js';
import { createArrayStorage, testDeps } from './support/array-storage.js';

const storages: [string, () => Storage][] = [
  ['array storage', createArrayStorage],
  ['memory storage', createMemoryStorage],
];

async function all(storage: Storage) {
  return (await storage.customers.list({ limit: 1000 })).items;
}

describe.each(storages)('importCustomersCsv (%s)', (_name, makeStorage) => {
  it('maps every column kind, coercing by the catalog type; empty cells are absent', async () => {
    const deps = testDeps(makeStorage());
    const csv = [
      'id,name,Email,phone,totalSpend,orderCount,visits,lastVisitAt,createdAt,subscriptions.sms,attributes.age,attributes.vip,attributes.birthday,attributes.tags,attributes.tier,attributes.nickname',
      'c1,Ada Lovelace,ada@example.com,+1 (555) 010-0100,1234.50,3,7,2024-05-01T10:00:00Z,2020-01-01,no,36,yes,1815-12-10,vip| early ;beta,gold,Countess',
      'c2,Grace,,,,,,,,,,,,,,',
    ].join('\n');
    const report = await importCustomersCsv(deps, csv);
    expect(report).toMatchObject({
      rows: 2,
      imported: 2,
      created: 2,
      updated: 0,
      failed: 0,
      errors: [],
      ignoredColumns: [],
    });
    const [c1, c2] = await all(deps.storage);
    expect(c1).toMatchObject({
      id: 'c1',
      email: 'ada@example.com',
      phone: '+15550100100',
      totalSpendMinor: 123450,
      orderCount: 3,
      visits: 7,
      lastVisitAt: new Date('2024-05-01T10:00:00Z'),
      createdAt: new Date('2020-01-01T00:00:00Z'),
      subscriptions: { sms: false },
      attributes: {
        age: 36,
        vip: true,
        birthday: new Date('1815-12-10T00:00:00Z'),
        tags: ['vip', 'early', 'beta'],
        tier: 'gold',
        nickname: 'Countess',
      },
    });
    expect(c2).toMatchObject({
      id: 'c2',
      name: 'Grace',
      attributes: {},
      subscriptions: {},
      totalSpendMinor: 0,
    });
    expect(c2?.email).toBeUndefined();
  });

  it.each(['\n', '\r\n'])(
    'skips bad rows, reporting their line and column paths (line ends %j)',
    async (eol) => {
      const deps = testDeps(makeStorage());
      const csv = [
        'id,name,email,attributes.age,attributes.tier,subscriptions.email,orderCount,totalSpend',
        'ok1,Fine,,,,,,',
        'bad1,,not-an-email,old,bronze,maybe,two,1.999',
        '"multi",  "Line',
        'Name",,,,,,',
        'bad2,"Quote',
        'inside",,old,,,,',
        'ok2,Also fine,,,,,,',
        'bad3,,,,,,,',
      ].join(eol);
      const report = await importCustomersCsv(deps, csv);
      expect(report.rows).toBe(6);
      expect(report.imported).toBe(3);
      expect(report.failed).toBe(3);
      expect(report.errors.map((e) => e.line)).toEqual([3, 6, 9]); // a multi-line record: the line it starts on
      const [error] = report.errors;
      expect(error?.line).toBe(3);
      expect(error?.problems.map((p) => p.path)).toEqual([
        ['attributes.age'],
        ['subscriptions.email'],
        ['orderCount'],
        ['name'],
        ['email'],
        ['totalSpend'],
        ['attributes.tier'],
      ]);
      expect((await all(deps.storage)).map((c) => c.id)).toEqual(['multi', 'ok1', 'ok2']);
      expect((await deps.storage.customers.get('multi'))?.name).toBe(`Line${eol}Name`);
    },
  );

  it('reports malformed CSV with its line instead of crashing', async () => {
    const deps = testDeps(makeStorage());
    const csv = 'id,name\nc1,Ada\nc2,Grace,extra\nc3\nc4,"Unclosed\nc5,Never\n';
    const report = await importCustomersCsv(deps, csv);
    expect(report.imported).toBe(1);
    expect(report.errors.map((e) => [e.line, e.problems[0]?.code])).toEqual([
      [3, 'CSV_RECORD_INCONSISTENT_COLUMNS'],
      [4, 'CSV_RECORD_INCONSISTENT_COLUMNS'],
      [expect.any(Number), 'CSV_QUOTE_NOT_CLOSED'],
    ]);
    expect(report.failed).toBe(3);
    expect((await all(deps.storage)).map((c) => c.id)).toEqual(['c1']);
  });

  it('ignores unknown columns with one header problem at line 1', async () => {
    const deps = testDeps(makeStorage());
    const report = await importCustomersCsv(
      deps,
      'id,name,favourite,attributes.a.b,name\nc1,Ada,blue,x,Dup\n',
    );
    expect(report.ignoredColumns).toEqual(['favourite', 'attributes.a.b', 'name']);
    expect(report.errors).toEqual([
      {
        line: 1,
        problems: [
          expect.objectContaining({ path: ['favourite'], code: 'unknown_column' }),
          expect.objectContaining({ path: ['attributes.a.b'], code: 'unknown_column' }),
          expect.objectContaining({ path: ['name'], code: 'unknown_column' }),
        ],
      },
    ]);
    expect(report).toMatchObject({ rows: 1, imported: 1, failed: 0 });
    expect((await deps.storage.customers.get('c1'))?.name).toBe('Ada');
  });

  it('refuses a header without id or name, writing nothing', async () => {
    const deps = testDeps(makeStorage());
    const error = await importCustomersCsv(deps, 'email,phone\na@b.co,+15550100100\n').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual([['id'], ['name']]);
    expect(await all(deps.storage)).toEqual([]);
  });

  it('reads Buffers with a BOM, Readable streams and async iterables split mid-row', async () => {
    const deps = testDeps(makeStorage());
    const text = 'id,name\nc1,Ada\nc2,Grace\n';
    await importCustomersCsv(deps, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect((await all(deps.storage)).map((c) => c.id)).toEqual(['c1', 'c2']);
    const report = await importCustomersCsv(
      deps,
      Readable.from([Buffer.from('id,na'), Buffer.from('me\nc3,Al'), 'an\n']),
    );
    expect(report).toMatchObject({ imported: 1, created: 1 });
    async function* chunks() {
      yield 'id,name\nc4,';
      yield 'Barbara\nc1,Ada L\n';
    }
    expect(await importCustomersCsv(deps, chunks())).toMatchObject({ imported: 2, created: 1, updated: 1 });
    expect((await deps.storage.customers.get('c3'))?.name).toBe('Alan');
  });

  it('returns an empty report for an empty file', async () => {
    const deps = testDeps(makeStorage());
    expect(await importCustomersCsv(deps, '')).toMatchObject({ rows: 0, imported: 0, failed: 0, errors: [] });
  });

  it('lets a later row with the same id update the earlier one', async () => {
    const deps = testDeps(makeStorage());
    const report = await importCustomersCsv(deps, 'id,name\nc1,First\nc1,Second\n');
    expect(report).toMatchObject({ rows: 2, imported: 2, created: 1, updated: 1 });
    expect((await deps.storage.customers.get('c1'))?.name).toBe('Second');
  });
});

describe('importCustomersCsv streaming', () => {
  async function* bigCsv(rows: number, badEvery = 0) {
    yield 'id,name,attributes.age\n';
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      chunk += `c${String(i).padStart(6, '0')},Customer ${i},${badEvery > 0 && i % badEvery === 0 ? 'x' : i % 90}\n`;
      if (chunk.length > 16_000) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }

  it('writes in batches, reports progress, caps kept errors', async () => {
    const storage = createArrayStorage();
    const deps = testDeps(storage);
    const progress: CsvImportProgress[] = [];
    const report = await importCustomersCsv(deps, bigCsv(20_000, 100), {
      batchSize: 1000,
      maxErrors: 50,
      onProgress: (p) => progress.push(p),
    });
    expect(report).toMatchObject({
      rows: 20_000,
      imported: 19_800,
      created: 19_800,
      failed: 200,
      errorsTruncated: true,
    });
    expect(report.errors).toHaveLength(50);
    expect(report.errors[0]).toEqual({
      line: 2,
      problems: [{ path: ['attributes.age'], code: 'invalid_value', message: 'must be a number' }],
    });
    expect(storage.calls.upsertMany).toBe(20);
    expect(progress.at(-1)).toEqual({
      rows: 20_000,
      imported: 19_800,
      created: 19_800,
      updated: 0,
      failed: 200,
    });
    expect(progress.length).toBeGreaterThanOrEqual(20);
  });

  it('stops when the signal aborts, keeping the batches already written', async () => {
    const storage = createArrayStorage();
    const deps = testDeps(storage);
    const controller = new AbortController();
    const promise = importCustomersCsv(deps, bigCsv(50_000), {
      batchSize: 500,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.imported >= 2000) controller.abort(new Error('stop'));
      },
    });
    await expect(promise).rejects.toThrow('stop');
    const size = await storage.customers.size();
    expect(size).toBeGreaterThanOrEqual(2000);
    expect(size).toBeLessThan(50_000);
    await expect(importCustomersCsv(deps, 'id,name\n', { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
