/*
 * Audiohook: the Genesys Cloud audio streaming protocol. protocol/ (messages, validators, durations,
 * sequence rules), signature/ (RFC 9421 HMAC signing and verification), client/ (the Genesys side),
 * server/ (the receiving side).
 */
export * from './errors.js';
export * from './timers.js';
export * from './protocol/index.js';
export * from './signature/index.js';
export * from './client/index.js';
export * from './server/index.js';
