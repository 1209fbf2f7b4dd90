import { describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.js';
import { TemplateError } from '../src/errors.js';
import { compileTemplate, validateTemplate } from '../src/template/compile.js';
import { testCatalog } from './support/array-storage.js';

const catalog = testCatalog();
const campaign = { id: 'cmp_1', name: 'Spring sale' };

function customer(overrides: Partial<Customer> = {}): Customer {
  const empty = { spendMinor: 0, orderCount: 0, visits: 0 };
  return {
    id: 'c1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+15550100100',
    attributes: {
      city: 'London',
      tags: ['vip', 'early'],
      birthday: new Date('1815-12-10T00:00:00Z'),
      age: 36,
    },
    subscriptions: {},
    totalSpend: 1234.5,
    totalSpendMinor: 123450,
    orderCount: 3,
    visits: 7,
    lastVisitAt: new Date('2024-05-01T10:00:00Z'),
    baseline: empty,
    activity: empty,
    createdAt: new Date('2020-01-01T00:00:00Z'),
    updatedAt: new Date('2024-05-01T10:00:00Z'),
    ...overrides,
  };
}

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('compileTemplate', () => {
  it('renders plain variable templates on the fast path', () => {
    const t = compileTemplate(
      'Hi {{ customer.firstName }} ({{customer.name}}), {{ campaign.name }} [{{ campaign.id }}]: ' +
        '{{ customer.totalSpend }} over {{ customer.orderCount }} orders, {{ customer.visits }} visits, ' +
        'last {{ customer.lastVisitAt }}, since {{ customer.createdAt }}, first order {{ customer.firstOrderAt }}. ' +
        '{{ customer.attributes.city }} {{ customer.attributes.tags }} {{ customer.attributes.birthday }} ' +
        '{{ customer.attributes.tier }} {{ customer.email }} {{ customer.phone }} {{ customer.id }}',
      { catalog },
    );
    expect(t.mode).toBe('fast');
    expect(t.render({ customer: customer(), campaign })).toBe(
      'Hi Ada (Ada Lovelace), Spring sale [cmp_1]: 1234.5 over 3 orders, 7 visits, ' +
        'last 2024-05-01T10:00:00.000Z, since 2020-01-01T00:00:00.000Z, first order . ' +
        'London vipearly 1815-12-10T00:00:00.000Z  ada@example.com +15550100100 c1',
    );
  });

  it('renders tags, filters and loops with liquidjs', () => {
    const t = compileTemplate(
      '{{ customer.name | upcase }}{% if customer.visits > 3 %} regular{% endif %}' +
        '{% for tag in customer.attributes.tags %} #{{ tag }}{% endfor %}' +
        ' {{ customer.createdAt | date: "%Y" }} {{ customer.attributes.tags.size }}{% assign n = customer.orderCount %} {{ n }}',
      { catalog },
    );
    expect(t.mode).toBe('liquid');
    expect(t.render({ customer: customer(), campaign })).toBe('ADA LOVELACE regular #vip #early 2020 2 3');
  });

  it('renders absent values as empty text', () => {
    const t = compileTemplate('[{{ customer.email }}|{{ customer.attributes.city }}]', { catalog });
    expect(t.render({ customer: customer({ email: undefined, attributes: {} }), campaign })).toBe('[|]');
  });

  it('honours whitespace control on the fast path', () => {
    const t = compileTemplate('Hi   {{- customer.firstName -}}   !', { catalog });
    expect(t.mode).toBe('fast');
    expect(t.render({ customer: customer(), campaign })).toBe('HiAda!');
  });

  it('throws a TemplateError listing every unknown variable', () => {
    const error = templateError(() =>
      compileTemplate(
        'Hi {{ customer.nmae }} {{ user.name }} {{ customer.attributes.shoeSize }} {{ customer }} ' +
          '{{ customer.name.foo }} {{ campaign.budget }} {{ customer.nmae }} {{ customer.updatedAt }}',
        { catalog },
      ),
    );
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.problems.every((p) => p.path.length === 1 && p.path[0] === 'template')).toBe(true);
    const messages = error.problems.map((p) => p.message);
    expect(messages).toHaveLength(7);
    expect(messages[0]).toMatch(
      /^unknown variable "customer\.nmae" \(line 1, column 7\); did you mean "customer\.name"\?$/,
    );
    for (const name of [
      'user.name',
      'customer.attributes.shoeSize',
      'customer',
      'customer.name.foo',
      'campaign.budget',
      'customer.updatedAt',
    ]) {
      expect(messages.some((m) => m.startsWith(`unknown variable "${name}"`))).toBe(true);
    }
  });

  it('does not report loop variables and assigned locals', () => {
    expect(
      validateTemplate(
        '{% for t in customer.attributes.tags %}{{ t }}{{ forloop.index }}{% endfor %}{% assign x = 1 %}{{ x }}' +
          '{% capture y %}{{ customer.name }}{% endcapture %}{{ y }}',
        { catalog },
      ),
    ).toEqual([]);
  });

  it('reports syntax errors, unknown filters, unknown tags and partials', () => {
    const cases: [string, RegExp][] = [
      ['Hi {{ customer.name', /not closed/],
      ['{% if customer.visits > 1 %}x', /not closed/],
      ['{{ customer.name | shout }}', /undefined filter: shout/],
      ['{% frobnicate %}', /tag "frobnicate" not found/],
      ['{% include "secrets" %}', /partials/],
      ['{% render "x" %}', /partials/],
    ];
    for (const [source, message] of cases) {
      const problems = validateTemplate(source, { catalog });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ path: ['template'], code: 'template_syntax' });
      expect(problems[0]?.message).toMatch(message);
      expect(templateError(() => compileTemplate(source, { catalog })).problems).toEqual(problems);
    }
  });

  it('refuses a non-string source', () => {
    expect(validateTemplate(42 as unknown as string, { catalog })[0]?.code).toBe('invalid_type');
  });

  it('leaves Liquid-special keys (size, first, last) to liquidjs', () => {
    expect(compileTemplate('{{ customer.attributes.tags.first }}', { catalog }).mode).toBe('liquid');
    expect(compileTemplate('{{ customer.name }}', { catalog }).mode).toBe('fast');
    expect(compileTemplate('{{ "literal" }}', { catalog }).mode).toBe('liquid');
    expect(compileTemplate('plain text', { catalog }).render({ customer: customer(), campaign })).toBe(
      'plain text',
    );
  });
});
