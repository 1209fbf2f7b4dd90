import { Liquid } from 'liquidjs';
import { countRenderSteps } from './bounded-render.js';
import { TEMPLATE_LIMITS } from './limits.js';

const NO_PARTIALS =
  'partials ({% include %}, {% render %}, {% layout %}) are not supported in message templates';

/**
 * Creates the Liquid engine MiniCRM renders messages with: unknown filters are parse errors
 * (`strictFilters`), only own properties are readable, no output escaping (messages are plain
 * text), no partials (templates never read files), and DoS limits on size, time and memory
 * ({@link TEMPLATE_LIMITS}); renders made by compiled templates also count their steps and output.
 */
export function createLiquid(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    cache: false,
    parseLimit: TEMPLATE_LIMITS.maxSourceLength,
    renderLimit: TEMPLATE_LIMITS.maxRenderMs,
    memoryLimit: TEMPLATE_LIMITS.maxMemory,
  });
  countRenderSteps(liquid);
  for (const name of ['include', 'render', 'layout']) {
    liquid.registerTag(name, {
      parse() {
        throw new Error(NO_PARTIALS);
      },
      render() {},
    });
  }
  return liquid;
}

let shared: Liquid | undefined;

/** The engine shared by every compiled template (created on first use). */
export function sharedLiquid(): Liquid {
  shared ??= createLiquid();
  return shared;
}
