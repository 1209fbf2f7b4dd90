/**
 * CSV import jobs, kept in the API process that took the upload: each runs in the background and
 * reports progress, counts and row errors by line number. With several API processes behind a load
 * balancer, a job's status is served by the process that took its import.
 */
import { randomUUID } from 'node:crypto';
import type { CsvImportProgress, CsvLineError, Logger, MiniCrm } from '@minicrm/core';

/** A CSV import's status. */
export interface ImportJob {
  readonly id: string;
  status: 'running' | 'completed' | 'failed';
  readonly startedAt: Date;
  finishedAt?: Date;
  /** Counters so far (final once completed). */
  progress: CsvImportProgress;
  /** Refused rows by line number (and ignored columns at line 1). */
  errors: CsvLineError[];
  ignoredColumns: string[];
  errorsTruncated: boolean;
  /** Why the import stopped, when `failed`. */
  error?: string;
}

/** Most finished jobs remembered; the oldest are forgotten first. */
const KEEP_FINISHED = 100;

/** The process's import jobs. */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly crm: MiniCrm,
    private readonly logger: Logger,
  ) {}

  /** Starts importing `csv` in the background; returns the job at once. */
  start(csv: string | Buffer): ImportJob {
    const job: ImportJob = {
      id: `imp_${randomUUID()}`,
      status: 'running',
      startedAt: new Date(),
      progress: { rows: 0, imported: 0, created: 0, updated: 0, failed: 0 },
      errors: [],
      ignoredColumns: [],
      errorsTruncated: false,
    };
    this.jobs.set(job.id, job);
    const abort = new AbortController();
    const done = this.crm.customers
      .importCsv(csv, {
        signal: abort.signal,
        onProgress: (progress) => {
          job.progress = { ...progress };
        },
      })
      .then((report) => {
        const { errors, ignoredColumns, errorsTruncated, ...progress } = report;
        Object.assign(job, { status: 'completed', progress, errors, ignoredColumns, errorsTruncated });
      })
      .catch((error: unknown) => {
        job.status = 'failed';
        job.error = error instanceof Error ? error.message : String(error);
        this.logger.warn({ err: error, jobId: job.id }, 'CSV import failed');
      })
      .finally(() => {
        job.finishedAt = new Date();
        this.running.delete(job.id);
        this.forgetOld();
      });
    this.running.set(job.id, { abort, done });
    return job;
  }

  /** The job, or `undefined`. */
  get(id: string): ImportJob | undefined {
    return this.jobs.get(id);
  }

  /** Stops running imports (rows already written stay) and waits for them. */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const r of running) r.abort.abort(new Error('the server is shutting down'));
    await Promise.all(running.map((r) => r.done));
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((j) => j.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(job.id);
  }
}
