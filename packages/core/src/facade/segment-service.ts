import { z } from 'zod';
import type { Customer } from '../domain/customer.js';
import type { Segment } from '../domain/segment.js';
import type { EngineContext } from '../engine/context.js';
import { NotFoundError, type Problem, ValidationError } from '../errors.js';
import type { Page } from '../ports/storage.js';
import { countSegment, previewSegment } from '../segment/query.js';
import { parseRules, validateRules } from '../segment/validate.js';
import { entityIdSchema } from '../util/id-schema.js';
import { checkPage, MAX_PAGE_SIZE, type PageInput } from '../util/page-options.js';
import { zodProblems } from '../util/zod-problems.js';

/** What `segments.create` accepts. */
export interface SegmentInput {
  /** Your own id; generated (`seg_…`) when absent. */
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  /** A rule tree, validated against the field catalog. */
  readonly rules: unknown;
}

/** What `segments.update` accepts: any of the fields. */
export type SegmentPatch = Partial<Omit<SegmentInput, 'id'>>;

const segmentShape = z
  .object({
    id: entityIdSchema.optional(),
    name: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(2000).optional(),
    rules: z.unknown(),
  })
  .strict();

/** Saved segments, audience preview and counts. */
export class SegmentService {
  constructor(private readonly ctx: EngineContext) {}

  /** Validates and saves a segment. Throws `ValidationError` listing every problem. */
  async create(input: unknown): Promise<Segment> {
    const value = this.check(segmentShape, input);
    const now = new Date(this.ctx.clock.now());
    const segment: Segment = {
      id: value.id ?? this.ctx.ids.next('seg_'),
      name: value.name,
      ...(value.description === undefined ? {} : { description: value.description }),
      rules: parseRules(value.rules, this.ctx.catalog),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.ctx.storage.segments.create(segment);
    return segment;
  }

  get(id: string): Promise<Segment | null> {
    return this.ctx.storage.segments.get(id);
  }

  /** Segments in ascending id order. */
  async list(options: PageInput = {}): Promise<Page<Segment>> {
    return this.ctx.storage.segments.list(checkPage(options, 'segment list'));
  }

  /**
   * Changes a segment. With `expectedVersion` the update fails with `ConflictError` if someone else
   * changed it since that version. Campaigns already launched keep the rules they snapshotted.
   */
  async update(id: string, patch: unknown, options: { expectedVersion?: number } = {}): Promise<Segment> {
    const value = this.check(segmentShape.omit({ id: true }).partial(), patch);
    const current = await this.ctx.storage.segments.get(id);
    if (current === null) throw new NotFoundError('segment', id);
    const expected = options.expectedVersion ?? current.version;
    const next: Segment = {
      ...current,
      ...(value.name === undefined ? {} : { name: value.name }),
      ...(value.description === undefined ? {} : { description: value.description }),
      ...(value.rules === undefined ? {} : { rules: parseRules(value.rules, this.ctx.catalog) }),
      version: expected + 1,
      updatedAt: new Date(this.ctx.clock.now()),
    };
    await this.ctx.storage.segments.update(next, expected);
    return next;
  }

  /** Deletes a segment; `NotFoundError` if it does not exist. */
  async delete(id: string): Promise<void> {
    if (!(await this.ctx.storage.segments.delete(id))) throw new NotFoundError('segment', id);
  }

  /** How many customers match `rules` now, and a few of them, without saving anything. */
  async preview(
    rules: unknown,
    options: { sampleSize?: number } = {},
  ): Promise<{ count: number; sample: Customer[] }> {
    const size = options.sampleSize ?? 10;
    const problems: Problem[] = validateRules(rules, this.ctx.catalog);
    if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
      problems.push({
        path: ['sampleSize'],
        code: 'out_of_range',
        message: `must be an integer from 0 to ${MAX_PAGE_SIZE}`,
      });
    }
    if (problems.length > 0) throw new ValidationError('invalid segment preview', problems);
    const parsed = parseRules(rules, this.ctx.catalog);
    return previewSegment(
      this.ctx.storage.customers,
      { rules: parsed, now: new Date(this.ctx.clock.now()), catalog: this.ctx.catalog },
      options,
    );
  }

  /** How many customers match `rules` now. */
  async count(rules: unknown): Promise<number> {
    const parsed = parseRules(rules, this.ctx.catalog);
    return countSegment(this.ctx.storage.customers, {
      rules: parsed,
      now: new Date(this.ctx.clock.now()),
      catalog: this.ctx.catalog,
    });
  }

  private check<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
    const parsed = schema.safeParse(input);
    const problems: Problem[] = parsed.success ? [] : zodProblems(parsed.error);
    const rules = (input as { rules?: unknown } | null)?.rules;
    if (input !== null && typeof input === 'object' && rules !== undefined) {
      for (const p of validateRules(rules, this.ctx.catalog))
        problems.push({ ...p, path: ['rules', ...p.path] });
    }
    if (problems.length > 0 || !parsed.success) throw new ValidationError('invalid segment', problems);
    return parsed.data;
  }
}
