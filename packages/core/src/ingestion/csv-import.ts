import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { CustomerUpsert } from '../domain/customer.js';
import { type Problem, ValidationError } from '../errors.js';
import { mapCsvHeader } from './csv-columns.js';
import { csvRecordToCustomer } from './csv-row.js';
import { writeUpserts } from './customers.js';
import type { IngestionDeps } from './deps.js';
import { customerSchema } from './schemas.js';

/** Where CSV text comes from: the whole text, or a stream / async iterable of chunks. */
export type CsvSource = string | Buffer | NodeJS.ReadableStream | AsyncIterable<string | Buffer>;

/** Counters reported while a CSV import runs (after every written batch) and at its end. */
export interface CsvImportProgress {
  /** Data rows read so far (the header excluded). */
  readonly rows: number;
  /** Rows written so far. */
  readonly imported: number;
  readonly created: number;
  readonly updated: number;
  /** Rows refused so far. */
  readonly failed: number;
}

/** Options of {@link importCustomersCsv}. */
export interface CsvImportOptions {
  /** Customers per storage write. @default 500 */
  readonly batchSize?: number;
  /** Called after each written batch and once at the end. */
  readonly onProgress?: (progress: CsvImportProgress) => void;
  /** Stops the import: the call rejects with the signal's reason; batches already written stay. */
  readonly signal?: AbortSignal;
  /** Most line errors kept in the report (the rest are only counted in `failed`). @default 1000 */
  readonly maxErrors?: number;
}

/** The problems of one CSV line. */
export interface CsvLineError {
  /** 1-based line in the file where the record starts (1 is the header). */
  readonly line: number;
  /** Paths name the column, e.g. `['attributes.age']`; `[]` for a malformed record. */
  readonly problems: readonly Problem[];
}

/** What {@link importCustomersCsv} did. */
export interface CsvImportReport extends CsvImportProgress {
  /**
   * Refused rows with their problems, in file order; plus, at line 1, one entry listing the
   * ignored header columns, if any (it does not count in `failed`).
   */
  readonly errors: CsvLineError[];
  /** Header columns that name no customer field: ignored, the rest of the file imported. */
  readonly ignoredColumns: string[];
  /** True when more row errors occurred than `maxErrors` kept. */
  readonly errorsTruncated: boolean;
}

interface ParsedRecord {
  readonly record: Record<string, string | undefined>;
  readonly raw: string;
  readonly info: { readonly lines: number };
}

function toReadable(source: CsvSource): Readable {
  if (typeof source === 'string' || Buffer.isBuffer(source)) return Readable.from([source]);
  if (source instanceof Readable) return source;
  return Readable.from(source as AsyncIterable<string | Buffer>);
}

/**
 * Turns csv-parse's line counter into real line numbers. csv-parse counts a CRLF inside a quoted
 * field as two lines, so its counter drifts by one per such CRLF; this undoes the drift and walks a
 * multi-line record back to the line it starts on.
 */
class LineCounter {
  private drift = 0;

  /** The real line a parsed record starts on, from its end line (csv-parse count) and raw text. */
  recordStart(csvLines: number, raw: string): number {
    const interior = /[\r\n]$/.test(raw) ? raw.slice(0, -1) : raw;
    let breaks = 0;
    let crlf = 0;
    for (let i = 0; i < interior.length; i++) {
      const c = interior.charCodeAt(i);
      if (c === 10 || c === 13) breaks += 1;
      if (c === 13 && interior.charCodeAt(i + 1) === 10) crlf += 1;
    }
    const start = csvLines - breaks - this.drift;
    this.drift += crlf;
    return start;
  }

  /** The real line of a csv-parse error. */
  errorLine(csvLines: number | undefined): number {
    return (csvLines ?? 0) - this.drift;
  }
}

function isCsvError(error: unknown): error is Error & { code: string; lines?: number } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('CSV_');
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The CSV import was aborted', 'AbortError');
}

/**
 * Streams customers in from CSV. The header names the fields: `id`, `name`, `email`, `phone`,
 * `totalSpend`, `orderCount`, `visits`, `firstOrderAt`, `lastOrderAt`, `lastVisitAt`,
 * `createdAt`, `subscriptions.<channel>` (true/false, yes/no, 1/0) and `attributes.<name>`
 * (coerced by the catalog type: number, boolean, date, enum, tags split on `|` or `;`; undeclared
 * attributes are kept as text). Empty cells are absent.
 *
 * Good rows are upserted in batches while reading (memory stays flat in file size); bad rows,
 * including malformed CSV records, are skipped and reported with their line number and problems.
 * Columns that name no field are ignored and reported once (line 1). A header without `id` or
 * `name` is refused with a `ValidationError` before anything is written. A later row with the
 * same id updates the earlier one.
 *
 * @example
 * const report = await importCustomersCsv(deps, fs.createReadStream('customers.csv'));
 * console.log(`${report.imported} imported, ${report.failed} refused`, report.errors);
 */
export async function importCustomersCsv(
  deps: IngestionDeps,
  source: CsvSource,
  options: CsvImportOptions = {},
): Promise<CsvImportReport> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const maxErrors = options.maxErrors ?? 1000;
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const schema = customerSchema(deps.currency.exponent);
  const errors: CsvLineError[] = [];
  let ignoredColumns: string[] = [];
  let fatal: Problem[] = [];
  let rows = 0;
  let imported = 0;
  let created = 0;
  let updated = 0;
  let failed = 0;
  let errorsTruncated = false;
  let rowErrors = 0;

  const fail = (line: number, problems: readonly Problem[]) => {
    rows += 1;
    failed += 1;
    rowErrors += 1;
    if (rowErrors <= maxErrors) errors.push({ line, problems });
    else errorsTruncated = true;
  };
  const progress = (): CsvImportProgress => ({ rows, imported, created, updated, failed });

  const lines = new LineCounter();
  const parser = parse({
    bom: true,
    trim: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    columns: (header: string[]) => {
      const mapped = mapCsvHeader(header);
      ignoredColumns = mapped.ignored;
      fatal = mapped.fatal;
      if (mapped.problems.length > 0) errors.push({ line: 1, problems: mapped.problems });
      if (fatal.length > 0) throw new ValidationError('invalid CSV header', fatal);
      return mapped.columns;
    },
  });
  parser.on('skip', (error: Error & { lines?: number; code?: string }) => {
    fail(lines.errorLine(error.lines), [
      { path: [], code: error.code ?? 'malformed_csv', message: error.message },
    ]);
  });

  let batch: CustomerUpsert[] = [];
  let batchIds = new Set<string>();
  const flush = async (report: boolean) => {
    if (batch.length === 0) return;
    const written = await writeUpserts(deps, batch);
    imported += batch.length;
    created += written.created.length;
    updated += written.updated.length;
    batch = [];
    batchIds = new Set();
    if (report) options.onProgress?.(progress());
  };

  const input = toReadable(source);
  const onAbort = () => parser.destroy(signal === undefined ? undefined : (abortReason(signal) as Error));
  signal?.addEventListener('abort', onAbort, { once: true });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const { record, raw, info } of parser as AsyncIterable<ParsedRecord>) {
      if (signal?.aborted) throw abortReason(signal);
      const line = lines.recordStart(info.lines, raw);
      const checked = csvRecordToCustomer(record, deps.catalog, deps.currency, schema);
      if (!checked.ok) {
        fail(line, checked.problems);
        continue;
      }
      rows += 1;
      if (batchIds.has(checked.value.id)) await flush(true);
      batch.push(checked.value);
      batchIds.add(checked.value.id);
      if (batch.length >= batchSize) await flush(true);
    }
    if (signal?.aborted) throw abortReason(signal);
    await flush(false);
  } catch (error) {
    if (fatal.length > 0) throw new ValidationError('invalid CSV header', fatal);
    if (!isCsvError(error) || signal?.aborted) throw error;
    // A parse error csv-parse could not skip past: report it and keep what was written.
    await flush(false);
    fail(lines.errorLine(error.lines), [{ path: [], code: error.code, message: error.message }]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.unpipe(parser);
    if (input !== source) input.destroy();
  }
  options.onProgress?.(progress());
  return { ...progress(), errors, ignoredColumns, errorsTruncated };
}
