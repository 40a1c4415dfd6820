export * from './components.js';
export * from './nonce-cache.js';
export * from './secret.js';
export * from './signer.js';
export * from './structured-fields.js';
export * from './verifier.js';
