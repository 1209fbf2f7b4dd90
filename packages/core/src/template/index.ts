export * from './compile.js';
export { createLiquid } from './engine.js';
export { TEMPLATE_LIMITS, type TemplateLimits } from './limits.js';
export { knownVariables } from './variables.js';
export { firstName, type TemplateCampaign, type TemplateContext } from './view.js';
