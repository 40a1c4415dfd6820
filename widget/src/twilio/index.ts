/**
 * The widget for Twilio Flex: the element and its adapter, for the Flex plugin (widget/flex) and
 * for hosts that build their own Flex component.
 */
export {
  DaspeakStreamingWebAgentTwilio,
  ELEMENT_NAME,
  defineTwilioElement,
  type FlexContext,
} from './element.js';
export { TwilioAdapter, type TwilioAdapterOptions } from './adapter.js';
export { customerCallSid, callerOf, taskSidOf, CALL_SID } from './task.js';
export type { FlexManagerLike, FlexTask, FlexTokenPayload } from './flex-types.js';
