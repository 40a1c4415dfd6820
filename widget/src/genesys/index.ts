/**
 * daspeak-streaming-web-agent-genesys.bundle.js: defines the element (once, even if the bundle is
 * loaded twice) and exports its classes for hosts that build their own page.
 */
import { DaspeakStreamingWebAgentGenesys, ELEMENT_NAME } from './element.js';

if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, DaspeakStreamingWebAgentGenesys);

export { DaspeakStreamingWebAgentGenesys, ELEMENT_NAME };
export {
  DaspeakAgentElement,
  type PlatformAdapter,
  type CallContext,
  type Agent,
  type WidgetState,
} from '../core/index.js';
