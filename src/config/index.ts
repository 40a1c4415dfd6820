export * from './schema.js';
export * from './issues.js';
export * from './loader.js';
export { SANDBOX } from './defaults.js';
export { audiohookOf, genesysOf, twilioOf, isPlatformMismatch, twilioMediaStreamUrl } from './platform.js';
