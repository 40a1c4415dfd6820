export * from './catalog.js';
export * from './validator.js';
export { kitCatalog } from './kit-catalog.js';
