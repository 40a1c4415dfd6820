import type * as Flex from '@twilio/flex-ui';
import { FlexPlugin } from '@twilio/flex-plugin';
import * as React from 'react';
import { defineTwilioElement } from '../../src/twilio/element';
import { createNotifier } from './notifications';
import { DaspeakTaskPanel } from './panel';
import { pluginSettings } from './settings';

export const PLUGIN_NAME = 'DaspeakVoicePlugin';

/**
 * das-Peak voice authentication in Flex: the agent widget in the task panel of every live voice
 * call (`TaskHelper.isLiveCall`), for the caller of that call.
 */
export default class DaspeakVoicePlugin extends FlexPlugin {
  constructor() {
    super(PLUGIN_NAME);
  }

  async init(flex: typeof Flex, manager: Flex.Manager): Promise<void> {
    defineTwilioElement();
    const settings = pluginSettings(manager);
    const notify = createNotifier(flex);
    flex.TaskCanvas.Content.add(
      React.createElement(DaspeakTaskPanel, { key: 'daspeak-voice', manager, settings, notify }),
      {
        sortOrder: -1,
        // Only while the agent is on the call: das-Peak listens to the call's live audio.
        if: (props: { task?: Flex.ITask }) =>
          props.task !== undefined && flex.TaskHelper.isLiveCall(props.task),
      },
    );
  }
}
