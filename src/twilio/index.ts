export * from './errors.js';
export * from './client.js';
export * from './sids.js';
export * from './twiml.js';
export * from './streams.js';
export * from './flex-token.js';
export * from './tasks.js';
