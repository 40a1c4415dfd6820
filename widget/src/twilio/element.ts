import { DaspeakAgentElement } from '../core/element.js';
import type { NoticeKind, PlatformAdapter } from '../core/platform.js';
import { TwilioAdapter } from './adapter.js';
import type { FlexManagerLike, FlexTask } from './flex-types.js';
import { customerCallSid, taskSidOf } from './task.js';

export const ELEMENT_NAME = 'daspeak-streaming-web-agent-twilio';

/**
 * `<daspeak-streaming-web-agent-twilio>`: the widget in Twilio Flex's task panel. The Flex plugin
 * creates it and hands over Flex's objects as properties: `flex = { task, manager, notify? }`
 * (and config.js / utils.js as for Genesys: the properties, or `config-src` / `utils-src`). A task
 * with another SID or another customer call starts over: nothing of the last call is kept.
 */
export interface FlexContext {
  task: FlexTask | null;
  manager: FlexManagerLike;
  notify?: (kind: NoticeKind, title: string, message: string) => void;
  languageTag?: string;
}

export class DaspeakStreamingWebAgentTwilio extends DaspeakAgentElement {
  protected readonly logPrefix = `[${ELEMENT_NAME}]`;
  #flex: FlexContext | undefined;
  #key = '';

  get flex(): FlexContext | undefined {
    return this.#flex;
  }

  set flex(value: FlexContext | undefined) {
    this.#flex = value;
    // Flex re-renders the task panel often with the same task: only another call restarts.
    const key = `${taskSidOf(value?.task) ?? ''}|${customerCallSid(value?.task) ?? ''}|${value?.languageTag ?? ''}`;
    if (key === this.#key) return;
    this.#key = key;
    if (this.started) void this.restart();
  }

  protected createAdapter(): PlatformAdapter {
    const flex = this.#flex;
    return new TwilioAdapter({
      task: flex?.task ?? null,
      manager: flex?.manager ?? {},
      ...(flex?.notify ? { notify: flex.notify } : {}),
      ...(flex?.languageTag ? { languageTag: flex.languageTag } : {}),
    });
  }
}

/** Defines the element once, even if the plugin is loaded twice. */
export function defineTwilioElement(): void {
  if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, DaspeakStreamingWebAgentTwilio);
}
