import type { Customer } from '../domain/customer.js';
import { isPlainSegment } from './field-access.js';
import type { PlanNode, PlanTest, ValueTest } from './plan.js';

const SET_THRESHOLD = 8;

function hasAnyOf(array: readonly unknown[], needles: readonly unknown[]): boolean {
  for (let i = 0; i < array.length; i++) if (needles.includes(array[i])) return true;
  return false;
}

function hasAnyIn(array: readonly unknown[], needles: ReadonlySet<unknown>): boolean {
  for (let i = 0; i < array.length; i++) if (needles.has(array[i])) return true;
  return false;
}

function hasAllOf(array: readonly unknown[], needles: readonly unknown[]): boolean {
  for (let i = 0; i < needles.length; i++) if (!array.includes(needles[i])) return false;
  return true;
}

const HELPERS = { hasOwn: Object.hasOwn, isArray: Array.isArray, hasAnyOf, hasAnyIn, hasAllOf };

/**
 * Builds JavaScript source for one predicate. Values never appear in the source: every value is a
 * constant `kN` read from the `K` array passed to the generated factory. Only identifiers we make
 * (`vN`, `tN`, `kN`), operators, and property names checked by {@link isPlainSegment} are emitted.
 */
class Emitter {
  readonly constants: unknown[] = [];
  temps = 0;

  constant(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  read(path: readonly string[], v: string): string {
    const steps: string[] = [];
    path.forEach((segment, i) => {
      const from = i === 0 ? 'c' : v;
      const guard = i === 0 ? '' : `typeof ${v} !== 'object' || ${v} === null ? undefined : `;
      const access = isPlainSegment(segment)
        ? `${from}.${segment}`
        : `(hasOwn(${from}, ${this.constant(segment)}) ? ${from}[${this.constant(segment)}] : undefined)`;
      steps.push(`${v} = ${guard}${access}`);
    });
    return steps.join(', ');
  }

  test(t: ValueTest, v: string, tmp: string): string {
    switch (t.kind) {
      case 'equals':
        return `${v} === ${this.constant(t.value)}`;
      case 'equalsLower':
        return `typeof ${v} === 'string' && ${v}.toLowerCase() === ${this.constant(t.value)}`;
      case 'oneOf': {
        const subject = t.lower ? tmp : v;
        const lower = t.lower ? `typeof ${v} === 'string' && (${tmp} = ${v}.toLowerCase(), ` : '(';
        if (t.values.length > SET_THRESHOLD)
          return `${lower}${this.constant(new Set(t.values))}.has(${subject}))`;
        return `${lower}${t.values.map((x) => `${subject} === ${this.constant(x)}`).join(' || ')})`;
      }
      case 'numberRange':
      case 'dateRange': {
        const [gt, lt] = t.strict ? ['>', '<'] : ['>=', '<='];
        const checks: string[] = [];
        const subject = t.kind === 'dateRange' ? tmp : v;
        if (t.lo !== Number.NEGATIVE_INFINITY) checks.push(`${subject} ${gt} ${this.constant(t.lo)}`);
        if (t.hi !== Number.POSITIVE_INFINITY) checks.push(`${subject} ${lt} ${this.constant(t.hi)}`);
        if (t.kind === 'numberRange') {
          // `typeof` keeps null, strings and other stored types out; NaN fails every comparison.
          return [`typeof ${v} === 'number'`, ...(checks.length > 0 ? checks : [`${v} === ${v}`])].join(
            ' && ',
          );
        }
        const time = `(${tmp} = ${v}.getTime(), ${checks.length > 0 ? checks.join(' && ') : `${tmp} === ${tmp}`})`;
        return `${v} instanceof Date && ${time}`;
      }
      case 'string': {
        const needle = this.constant(t.needle);
        const subject = t.lower ? `${v}.toLowerCase()` : v;
        return `typeof ${v} === 'string' && ${subject}.${t.method}(${needle})`;
      }
      case 'has':
        return `isArray(${v}) && ${v}.includes(${this.constant(t.value)})`;
      case 'hasAny':
        return t.values.length > SET_THRESHOLD
          ? `isArray(${v}) && hasAnyIn(${v}, ${this.constant(new Set(t.values))})`
          : `isArray(${v}) && hasAnyOf(${v}, ${this.constant(t.values)})`;
      case 'hasAll':
        return `isArray(${v}) && hasAllOf(${v}, ${this.constant(t.values)})`;
      case 'exists':
        return `${v} !== undefined && ${v} !== null`;
    }
  }

  condition(node: PlanTest): string {
    const n = this.temps++;
    const v = `v${n}`;
    const expression = `(${this.read(node.path, v)}, ${this.test(node.test, v, `t${n}`)})`;
    return node.negate ? `!${expression}` : expression;
  }

  node(node: PlanNode): string {
    if (node.kind === 'test') return this.condition(node);
    const parts = node.rules.map((rule) => this.node(rule));
    const joined = parts.length === 1 ? parts[0]! : `(${parts.join(node.and ? ' && ' : ' || ')})`;
    return node.not ? `!${joined}` : joined;
  }
}

/**
 * The code generation back end: one specialised function per rule tree, with field reads and
 * comparisons inlined, so V8 optimises it like a hand-written predicate. Throws when the runtime
 * forbids `new Function` (the caller then falls back to closures).
 * @internal
 */
export function generatedPredicate(root: PlanNode): (customer: Customer) => boolean {
  const emitter = new Emitter();
  const body = emitter.node(root);
  const temps = Array.from({ length: emitter.temps }, (_, i) => `v${i}, t${i}`).join(', ');
  const constants = emitter.constants.map((_, i) => `k${i} = K[${i}]`).join(', ');
  const source = [
    "'use strict';",
    'const { hasOwn, isArray, hasAnyOf, hasAnyIn, hasAllOf } = H;',
    constants === '' ? '' : `const ${constants};`,
    'return function segmentPredicate(c) {',
    temps === '' ? '' : `  let ${temps};`,
    `  return ${body};`,
    '};',
  ].join('\n');
  const factory = new Function('K', 'H', source) as (
    k: readonly unknown[],
    h: typeof HELPERS,
  ) => (customer: Customer) => boolean;
  return factory(emitter.constants, HELPERS);
}
