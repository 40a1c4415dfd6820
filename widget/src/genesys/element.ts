import { DaspeakAgentElement } from '../core/element.js';
import type { PlatformAdapter } from '../core/platform.js';
import { GenesysAdapter, paramsFromUrl, type GenesysParams } from './adapter.js';

export const ELEMENT_NAME = 'daspeak-streaming-web-agent-genesys';

/**
 * `<daspeak-streaming-web-agent-genesys>`: the widget in a Genesys Cloud Interaction Widget. The
 * call comes from the page URL (`?conversationId={{gcConversationId}}&gcHostOrigin=…`), or from the
 * attributes of the same names, which win; a new `conversation-id` starts over for that call.
 */
export class DaspeakStreamingWebAgentGenesys extends DaspeakAgentElement {
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'conversation-id', 'lang-tag'];
  }

  protected readonly logPrefix = `[${ELEMENT_NAME}]`;

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if ((name === 'conversation-id' || name === 'lang-tag') && old !== value && this.started) {
      void this.restart();
    }
  }

  protected createAdapter(config: unknown): PlatformAdapter {
    const fromUrl = paramsFromUrl(location.search);
    const params: GenesysParams = {
      conversationId: this.getAttribute('conversation-id') ?? fromUrl.conversationId,
      gcHostOrigin: this.getAttribute('gc-host-origin') ?? fromUrl.gcHostOrigin,
      gcTargetEnv: this.getAttribute('gc-target-env') ?? fromUrl.gcTargetEnv,
      gcLangTag: this.getAttribute('lang-tag') ?? fromUrl.gcLangTag,
    };
    return new GenesysAdapter(params, config);
  }
}
