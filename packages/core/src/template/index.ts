export * from './compile.js';
export { createLiquid } from './engine.js';
export { knownVariables } from './variables.js';
export { firstName, type TemplateCampaign, type TemplateContext } from './view.js';
