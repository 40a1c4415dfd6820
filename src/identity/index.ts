// Browser code (widget, flows) imports ./ani.js directly: ./hash.js needs node:crypto.
export { E164_PATTERN, isE164, normaliseAni, type NormaliseAniOptions } from './ani.js';
export { aniDigest } from './hash.js';
