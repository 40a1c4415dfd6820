export * from './core.js';
export * from './duration.js';
export * from './messages.js';
export * from './parse.js';
export * from './sequence.js';
export * from './media.js';
export { check } from './validate.js';
