/**
 * The widget core's public API, for platform adapters (Genesys in ../genesys, Twilio Flex next):
 * subclass DaspeakAgentElement, name it, and return a PlatformAdapter from createAdapter(config).
 * Nothing here knows a contact-center platform.
 */
export { DaspeakAgentElement } from './element.js';
export {
  SignInError,
  type Agent,
  type CallContext,
  type IvrResult,
  type NoticeKind,
  type PlatformAdapter,
  type SignInFailure,
} from './platform.js';
export {
  SignInRequiredError,
  WidgetError,
  configurationError,
  connectionError,
  type ErrorKind,
} from './errors.js';
export type { IntegratorHooks, CredentialStatus, ConsentRecord, ConsentDecision } from './hooks.js';
export type { WidgetState, Phase, CallState, Notice } from './state.js';
export { translator, languageOf, type Language, type Translator } from './i18n.js';
