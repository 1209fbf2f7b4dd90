import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { BUILT_IN_FIELDS } from '../src/segment/built-in-fields.js';
import { OPERATORS_BY_TYPE } from '../src/segment/catalog.js';
import { createFieldCatalog, defaultFieldCatalog } from '../src/segment/create-catalog.js';

describe('createFieldCatalog', () => {
  it('has the built-in fields with their types', () => {
    const types = Object.fromEntries(defaultFieldCatalog.fields.map((f) => [f.name, f.type]));
    expect(types).toEqual({
      id: 'string',
      name: 'string',
      email: 'string',
      phone: 'string',
      totalSpend: 'number',
      orderCount: 'number',
      visits: 'number',
      firstOrderAt: 'date',
      lastOrderAt: 'date',
      lastVisitAt: 'date',
      createdAt: 'date',
      updatedAt: 'date',
    });
    expect(defaultFieldCatalog.get('visits')?.operators).toEqual(OPERATORS_BY_TYPE.number);
    expect(defaultFieldCatalog.fields.every((f) => f.builtIn)).toBe(true);
    expect(BUILT_IN_FIELDS).toHaveLength(12);
  });

  it('adds custom attributes under attributes.<name>', () => {
    const catalog = createFieldCatalog({
      attributes: [
        { name: 'city', type: 'enum', label: 'City', options: ['Mumbai', { value: 'pune', label: 'Pune' }] },
        { name: 'tags', type: 'tags' },
        { name: 'score', type: 'number', operators: ['>', '<'], description: 'NPS' },
      ],
    });
    expect(catalog.fields.map((f) => f.name).slice(-3)).toEqual([
      'attributes.city',
      'attributes.tags',
      'attributes.score',
    ]);
    expect(catalog.get('attributes.city')).toMatchObject({
      label: 'City',
      type: 'enum',
      builtIn: false,
      options: [
        { value: 'Mumbai', label: 'Mumbai' },
        { value: 'pune', label: 'Pune' },
      ],
    });
    expect(catalog.get('attributes.tags')?.label).toBe('tags');
    expect(catalog.get('attributes.score')?.operators).toEqual(['>', '<']);
    expect(catalog.get('city')).toBeUndefined();
  });

  it('lists every bad declaration with its path', () => {
    let error: unknown;
    try {
      createFieldCatalog({
        attributes: [
          { name: '1bad', type: 'string' },
          { name: 'city', type: 'enum' },
          { name: 'tier', type: 'enum', options: [] },
          { name: 'score', type: 'number', operators: ['>', 'contains'] },
          { name: 'score', type: 'number' },
          { name: 'x', type: 'money' } as never,
          { name: 'constructor', type: 'string' },
          { name: 'flag', type: 'boolean', options: ['a'] },
          { name: 'e', type: 'enum', options: ['a', 'a', ''] },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['attributes.0.name', 'invalid_name'],
      ['attributes.1.options', 'options_required'],
      ['attributes.2.options', 'options_required'],
      ['attributes.3.operators.1', 'operator_not_allowed'],
      ['attributes.4.name', 'duplicate_name'],
      ['attributes.5.type', 'invalid_type'],
      ['attributes.6.name', 'invalid_name'],
      ['attributes.7.options', 'unexpected_options'],
      ['attributes.8.options.1', 'duplicate_option'],
      ['attributes.8.options.2', 'invalid_option'],
    ]);
  });
});
