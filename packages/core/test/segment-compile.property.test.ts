import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.js';
import { compileSegment } from '../src/segment/compile.js';
import type { RuleGroup } from '../src/segment/types.js';
import { validateRules } from '../src/segment/validate.js';
import {
  customerArbitrary,
  NOWS,
  ruleTreeArbitrary,
  testCatalog,
  testFieldTypes,
} from './support/customer-arbitraries.js';
import { referenceEvaluate } from './support/segment-reference.js';

describe('compileSegment agrees with the reference evaluator', () => {
  it('on random rule trees × random customers (generated code and closures)', () => {
    fc.assert(
      fc.property(
        ruleTreeArbitrary(4),
        fc.array(customerArbitrary, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(...NOWS),
        (rules, customers, now) => {
          expect(validateRules(rules, testCatalog, { maxDepth: 5 })).toEqual([]);
          const compiled = compileSegment(rules as unknown as RuleGroup, { catalog: testCatalog, now });
          const closures = compileSegment(rules as unknown as RuleGroup, {
            catalog: testCatalog,
            now,
            codegen: false,
          });
          for (const customer of customers) {
            const expected = referenceEvaluate(rules, customer, testFieldTypes, now);
            expect(compiled(customer as unknown as Customer)).toBe(expected);
            expect(closures(customer as unknown as Customer)).toBe(expected);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on single conditions, where every operator gets many customers', () => {
    fc.assert(
      fc.property(
        ruleTreeArbitrary(1),
        fc.array(customerArbitrary, { minLength: 20, maxLength: 60 }),
        fc.constantFrom(...NOWS),
        (rules, customers, now) => {
          const compiled = compileSegment(rules as unknown as RuleGroup, { catalog: testCatalog, now });
          const closures = compileSegment(rules as unknown as RuleGroup, {
            catalog: testCatalog,
            now,
            codegen: false,
          });
          for (const customer of customers) {
            const expected = referenceEvaluate(rules, customer, testFieldTypes, now);
            expect(compiled(customer as unknown as Customer)).toBe(expected);
            expect(closures(customer as unknown as Customer)).toBe(expected);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the generators really produce matches and non-matches', () => {
    const sample = fc.sample(
      fc.tuple(ruleTreeArbitrary(1), customerArbitrary, fc.constantFrom(...NOWS)),
      3000,
    );
    const results = sample.map(([r, c, now]) => referenceEvaluate(r, c, testFieldTypes, now));
    const matched = results.filter(Boolean).length;
    expect(matched).toBeGreaterThan(300);
    expect(matched).toBeLessThan(2700);
  });
});
