import { describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.js';
import { type Problem, TemplateError, ValidationError } from '../src/errors.js';
import { createMiniCrm } from '../src/facade/minicrm.js';
import { compileTemplate, validateTemplate } from '../src/template/compile.js';
import { createLiquid } from '../src/template/engine.js';
import { TEMPLATE_LIMITS } from '../src/template/limits.js';
import { testCatalog } from './support/array-storage.js';

const catalog = testCatalog();
const campaign = { id: 'cmp_1', name: 'Spring sale' };

/** Time any refused or stopped template may take, create or render (about 100x what it takes). */
const BOUND_MS = 500;
/** Heap a stopped render may leave behind (the unbounded render took about 400 MiB). */
const BOUND_HEAP = 64 * 2 ** 20;

function customer(overrides: Partial<Customer> = {}): Customer {
  const empty = { spendMinor: 0, orderCount: 0, visits: 0 };
  return {
    id: 'c1',
    name: 'Ada Lovelace',
    attributes: {},
    subscriptions: {},
    totalSpend: 0,
    totalSpendMinor: 0,
    orderCount: 0,
    visits: 3,
    baseline: empty,
    activity: empty,
    createdAt: new Date('2020-01-01T00:00:00Z'),
    updatedAt: new Date('2020-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** Runs `fn`, returning how long it took and how much the heap grew. */
function measured<T>(fn: () => T): { value: T; ms: number; heap: number } {
  const heap = process.memoryUsage().heapUsed;
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start, heap: process.memoryUsage().heapUsed - heap };
}

/** The problems of a template refused at create, checked to be refused quickly and by compile too. */
function refused(source: string): Problem[] {
  const { value: problems, ms } = measured(() => validateTemplate(source, { catalog }));
  expect(ms).toBeLessThan(BOUND_MS);
  expect(() => compileTemplate(source, { catalog })).toThrow(TemplateError);
  return problems;
}

/** The problems of a render that was stopped, checked to stop quickly and without a big heap. */
function stopped(source: string, who: Customer): Problem[] {
  const template = compileTemplate(source, { catalog });
  const {
    value: error,
    ms,
    heap,
  } = measured(() => {
    try {
      template.render({ customer: who, campaign });
    } catch (e) {
      return e;
    }
    return undefined;
  });
  expect(error).toBeInstanceOf(TemplateError);
  expect(ms).toBeLessThan(BOUND_MS);
  expect(heap).toBeLessThan(BOUND_HEAP);
  return [...(error as TemplateError).problems];
}

describe('template cost limits at create', () => {
  it('refuses a huge literal range, wherever it is, naming the range and its place', () => {
    const problems = refused('{% for i in (1..20000000) %}x{% endfor %}');
    expect(problems).toEqual([
      {
        path: ['template'],
        code: 'range_too_large',
        message:
          'range (1..20000000) (line 1, column 13) has 20000000 items; a message template may use ranges of at most 10000',
      },
    ]);
    for (const source of [
      '{% assign r = (0..99999) %}{{ r | size }}',
      '{{ (1..50000) | join: "," }}',
      '{% if customer.visits > 3 %}{% for i in (1..20000000) %}x{% endfor %}{% endif %}',
    ]) {
      expect(refused(source).map((p) => p.code)).toEqual(['range_too_large']);
    }
  });

  it('refuses loops nested over literal ranges whose steps multiply past the limit, once per nest', () => {
    const problems = refused(
      '{% for a in (1..200) %}{% for b in (1..200) %}{% for c in (1..200) %}x{% endfor %}{% endfor %}{% endfor %}',
    );
    expect(problems).toEqual([
      {
        path: ['template'],
        code: 'template_too_costly',
        message:
          'loop (line 1, column 24) runs its body 40000 times (nested loops multiply), about 80000 rendering steps; a message may take at most 10000',
      },
    ]);
    // A literal `limit` counts as the number of iterations.
    expect(
      validateTemplate(
        '{% for a in (1..100) %}{% for b in (1..100) limit: 5 %}{{ b }}{% endfor %}{% endfor %}',
        {
          catalog,
        },
      ),
    ).toEqual([]);
  });

  it('refuses what a render for a customer with no data already cannot afford: a doubling append, a doubling capture', () => {
    const append = refused(
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
    );
    expect(append).toEqual([
      {
        path: ['template'],
        code: 'template_memory_limit',
        message:
          'rendering builds more than 1000000 items of ranges, arrays and strings (line 1, column 52), even for a customer with no data',
      },
    ]);
    const capture = refused(
      '{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}y{% endcapture %}{% endfor %}{% if s contains "z" %}{% endif %}',
    );
    expect(capture).toEqual([
      {
        path: ['template'],
        code: 'template_output_too_long',
        message:
          'the message would be longer than 100000 characters (line 1, column 45), even for a customer with no data',
      },
    ]);
  });

  it('refuses a source longer than the limit before parsing it', () => {
    expect(refused(`${'x'.repeat(900_000)}{{ customer.name }}`)).toEqual([
      {
        path: ['template'],
        code: 'template_too_long',
        message: 'must be at most 10000 characters (it has 900019)',
      },
    ]);
  });

  it('makes campaigns.create refuse the template with a ValidationError at path template, storing nothing', async () => {
    const crm = createMiniCrm();
    const error = await crm.campaigns
      .create({
        name: 'Stall',
        channel: 'sms',
        template: '{% for i in (1..20000000) %}x{% endfor %}',
        rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      expect.objectContaining({ path: ['template'], code: 'range_too_large' }),
    ]);
    expect((await crm.campaigns.list()).items).toEqual([]);
    await crm.close();
  });

  it('accepts ordinary loops, filters and captures', () => {
    for (const source of [
      '{% for i in (1..3) %}{{ i }}{% endfor %} {{ customer.name | upcase }}',
      '{% for t in customer.attributes.tags limit: 3 %}#{{ t }} {% endfor %}',
      '{% capture greeting %}Hi {{ customer.firstName }}{% endcapture %}{{ greeting | append: "!" }}',
      '{% for i in (1..customer.visits) %}*{% endfor %}',
    ]) {
      expect(validateTemplate(source, { catalog })).toEqual([]);
    }
  });
});

describe('template cost limits at render', () => {
  it('stops a range whose bound is customer data before it is built', () => {
    const source = '{% for i in (1..customer.visits) %}x{% endfor %}';
    const template = compileTemplate(source, { catalog });
    expect(template.render({ customer: customer({ visits: 3 }), campaign })).toBe('xxx');
    expect(stopped(source, customer({ visits: 20_000_000 }))).toEqual([
      {
        path: ['template'],
        code: 'template_memory_limit',
        message: 'rendering builds more than 1000000 items of ranges, arrays and strings (line 1, column 1)',
      },
    ]);
  });

  it('stops a data-dependent loop at the step limit', () => {
    const problems = stopped('{% for i in (1..customer.visits) %}x{% endfor %}', customer({ visits: 9_000 }));
    expect(problems).toEqual([
      {
        path: ['template'],
        code: 'template_too_costly',
        message: 'rendering takes more than 10000 steps (loops multiply the steps) (line 1, column 1)',
      },
    ]);
    // Nested loops over data: each level is small, the product is not.
    const nested = stopped(
      '{% for a in (1..customer.visits) %}{% for b in (1..customer.visits) %}{% for c in (1..customer.visits) %}{% endfor %}{% endfor %}{% endfor %}',
      customer({ visits: 1_000 }),
    );
    expect(nested.map((p) => p.code)).toEqual(['template_too_costly']);
  });

  it('stops a message longer than the output limit, on the fast path too', () => {
    const long = customer({ name: 'A'.repeat(1000) });
    const fast = '{{ customer.name }}'.repeat(150);
    expect(compileTemplate(fast, { catalog }).mode).toBe('fast');
    const expected = {
      path: ['template'],
      code: 'template_output_too_long',
      message: 'the message would be longer than 100000 characters',
    };
    expect(stopped(fast, long)).toEqual([expected]);
    const loop = stopped('{% for i in (1..200) %}{{ customer.name }}{% endfor %}', long);
    expect(loop).toEqual([{ ...expected, message: `${expected.message} (line 1, column 24)` }]);
  });

  it('reports other render errors as render_failed, as before', () => {
    const problems = stopped('{{ customer.name | url_decode }}', customer({ name: '%E0%A4%A' }));
    expect(problems).toEqual([
      { path: ['template'], code: 'render_failed', message: 'URI malformed, line:1, col:1' },
    ]);
  });

  it('documents its limits, and leaves renders of createLiquid() engines outside compiled templates unbounded by steps', () => {
    expect(TEMPLATE_LIMITS).toEqual({
      maxSourceLength: 10_000,
      maxRangeSize: 10_000,
      maxSteps: 10_000,
      maxOutputLength: 100_000,
      maxMemory: 1_000_000,
      maxRenderMs: 250,
    });
    expect(Object.isFrozen(TEMPLATE_LIMITS)).toBe(true);
    const liquid = createLiquid();
    expect(
      liquid.parseAndRenderSync(
        '{% for i in (1..6000) %}{% endfor %}{% for i in (1..3) %}{{ i }}{% endfor %}',
      ),
    ).toBe('123');
  });
});
