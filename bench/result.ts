/** One benchmark figure, measured side by side with its baseline in the same run. */
export interface BenchResult {
  /** Benchmark name, e.g. `segment-eval`. */
  readonly name: string;
  /** Unit of `value` and `baselineValue`, e.g. `docs/s`. */
  readonly unit: string;
  /** Our figure. */
  readonly value: number;
  /** What we compare against, by name. */
  readonly baseline: string;
  /** The baseline's figure, same unit. */
  readonly baselineValue: number;
  /** value / baselineValue. Higher is better for rates; the name says which way for other units. */
  readonly ratio: number;
}

/** Builds a result with its ratio, rounding figures to 3 significant digits. */
export function result(
  name: string,
  unit: string,
  value: number,
  baseline: string,
  baselineValue: number,
): BenchResult {
  const round = (x: number) => Number(x.toPrecision(4));
  return {
    name,
    unit,
    value: round(value),
    baseline,
    baselineValue: round(baselineValue),
    ratio: round(value / baselineValue),
  };
}

/** When a bench file runs as a child of `bench/run.ts`, it prints its results as one JSON line with this prefix. */
export const RESULT_PREFIX = 'BENCH_RESULTS ';

/** Prints results for `bench/run.ts` (JSON line) and for a person (table). */
export function report(results: readonly BenchResult[]): void {
  console.table(results);
  console.log(RESULT_PREFIX + JSON.stringify(results));
}
