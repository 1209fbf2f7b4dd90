import type { Campaign } from '../domain/campaign.js';
import type { EngineContext } from '../engine/context.js';
import { type Problem, ValidationError } from '../errors.js';
import { toDate } from '../ingestion/values.js';
import { resolveRetrySettings } from '../retry/retry-policy.js';
import type { RuleGroup } from '../segment/types.js';
import { parseRules, validateRules } from '../segment/validate.js';
import { validateTemplate } from '../template/compile.js';
import { zodProblems } from '../util/zod-problems.js';
import { type CampaignInput, campaignInputSchema } from './input.js';

/**
 * Validates a campaign input and builds the draft. Every problem is reported at once, each with its
 * path: shape, audience (exactly one of `segmentId` / `rules`; the segment exists; the rules fit the
 * field catalog), channel registered, template parses and uses only known variables, `sendAt` is a
 * date, retry settings are consistent.
 */
export async function buildCampaignDraft(ctx: EngineContext, input: unknown): Promise<Campaign> {
  const parsed = campaignInputSchema.safeParse(input);
  if (!parsed.success) {
    // Report shape problems together with whatever else can be checked on the raw input.
    const problems = zodProblems(parsed.error);
    if (input !== null && typeof input === 'object') {
      problems.push(
        ...(await crossProblems(ctx, input as CampaignInput)).filter((p) => !samePath(problems, p)),
      );
    }
    throw new ValidationError('invalid campaign', problems);
  }
  const value = parsed.data;
  const problems = await crossProblems(ctx, value);
  if (problems.length > 0) throw new ValidationError('invalid campaign', problems);

  let rules: RuleGroup;
  if (value.segmentId !== undefined) {
    const segment = await ctx.storage.segments.get(value.segmentId);
    rules = (segment as NonNullable<typeof segment>).rules;
  } else {
    rules = parseRules(value.rules, ctx.catalog);
  }
  const now = new Date(ctx.clock.now());
  return {
    id: value.id ?? ctx.ids.next('cmp_'),
    name: value.name,
    ...(value.segmentId === undefined ? {} : { segmentId: value.segmentId }),
    rules,
    channel: value.channel,
    template: value.template,
    ...(value.sendAt === undefined ? {} : { sendAt: toDate(value.sendAt) as Date }),
    ...(value.throttlePerSecond === undefined ? {} : { throttlePerSecond: value.throttlePerSecond }),
    ...(value.retry === undefined ? {} : { retry: value.retry }),
    state: 'draft',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

function samePath(problems: readonly Problem[], p: Problem): boolean {
  return problems.some((q) => q.path.join('.') === p.path.join('.'));
}

async function crossProblems(
  ctx: EngineContext,
  input: Partial<Omit<CampaignInput, 'sendAt'>> & { sendAt?: unknown },
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const hasSegment = input.segmentId !== undefined;
  const hasRules = input.rules !== undefined;
  if (hasSegment === hasRules) {
    problems.push({
      path: hasSegment ? ['rules'] : ['segmentId'],
      code: 'audience_required',
      message: hasSegment
        ? 'give either segmentId or rules, not both'
        : 'give an audience: segmentId or rules',
    });
  } else if (hasSegment && typeof input.segmentId === 'string') {
    if ((await ctx.storage.segments.get(input.segmentId)) === null) {
      problems.push({
        path: ['segmentId'],
        code: 'not_found',
        message: `segment "${input.segmentId}" does not exist`,
      });
    }
  } else if (hasRules) {
    for (const p of validateRules(input.rules, ctx.catalog))
      problems.push({ ...p, path: ['rules', ...p.path] });
  }
  if (typeof input.channel === 'string' && input.channel !== '' && !ctx.channels.has(input.channel)) {
    problems.push({
      path: ['channel'],
      code: 'unknown_channel',
      message: `channel "${input.channel}" is not registered (registered: ${[...ctx.channels.keys()].join(', ') || 'none'})`,
    });
  }
  if (typeof input.template === 'string' && input.template !== '') {
    for (const p of validateTemplate(input.template, { catalog: ctx.catalog })) {
      problems.push({ ...p, path: ['template', ...p.path.filter((part) => part !== 'template')] });
    }
  }
  if (input.sendAt !== undefined && toDate(input.sendAt) === null) {
    problems.push({
      path: ['sendAt'],
      code: 'invalid_date',
      message: 'must be an ISO 8601 date-time (e.g. 2026-12-01T09:00:00Z) or a valid Date',
    });
  }
  if (input.retry !== undefined && input.retry !== null && typeof input.retry === 'object') {
    // The campaign's settings are merged over the engine's; check the result, as retries will use it.
    try {
      if (typeof ctx.retry === 'function') resolveRetrySettings(input.retry);
      else resolveRetrySettings(ctx.retry, input.retry);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const p of error.problems) problems.push({ ...p, path: ['retry', ...p.path] });
    }
  }
  return problems;
}
