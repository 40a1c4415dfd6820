import type * as Flex from '@twilio/flex-ui';
import { withTaskContext } from '@twilio/flex-ui';
import * as React from 'react';
import type { NoticeKind } from '../../src/core/platform';
import { ELEMENT_NAME, type DaspeakStreamingWebAgentTwilio } from '../../src/twilio/element';
import type { PluginSettings } from './settings';

export interface PanelProps {
  manager: Flex.Manager;
  settings: PluginSettings;
  notify: (kind: NoticeKind, title: string, message: string) => void;
  /** Given by withTaskContext: the task the agent has selected. */
  task?: Flex.ITask;
}

/**
 * The widget element for the selected task. React 17 sets only attributes on a custom element, so
 * Flex's objects go over as a property after each render; the element starts over when the task is
 * another call.
 */
function Panel(props: PanelProps): React.ReactElement {
  const ref = React.useRef<DaspeakStreamingWebAgentTwilio | null>(null);
  const { task, manager, notify } = props;
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    element.flex = { task: task ?? null, manager, notify };
  }, [task, manager, notify]);
  const backend = props.settings.backendUrl;
  return React.createElement(
    'div',
    { className: 'daspeak-voice-panel', style: { padding: '8px 12px' } },
    React.createElement(ELEMENT_NAME, {
      ref,
      // Without a backend URL the element shows its configuration error (and says what is missing).
      ...(backend ? { 'config-src': `${backend}config.js`, 'utils-src': `${backend}utils.js` } : {}),
    }),
  );
}

export const DaspeakTaskPanel = withTaskContext(Panel);
