import type * as Flex from '@twilio/flex-ui';
import * as React from 'react';
import type { NoticeKind } from '../../src/core/platform';

const IDS: Record<NoticeKind, string> = {
  info: 'daspeak-voice-info',
  success: 'daspeak-voice-success',
  error: 'daspeak-voice-error',
};

interface Context {
  title?: string;
  message?: string;
}

/** The in-app notification's body: the widget's title and sentence. */
function NoticeContent(props: { notificationContext?: Context }): React.ReactElement {
  const c = props.notificationContext ?? {};
  return React.createElement(
    'span',
    null,
    React.createElement('strong', null, c.title ?? ''),
    c.title && c.message ? ' ' : '',
    c.message ?? '',
  );
}

/**
 * The widget's notices as Flex notifications (Flex's NotificationManager): errors stay until the
 * agent closes them, the rest go after a few seconds, as the Genesys toasts do.
 */
export function createNotifier(
  flex: typeof Flex,
): (kind: NoticeKind, title: string, message: string) => void {
  const { Notifications, NotificationType } = flex;
  const types: Record<NoticeKind, Flex.NotificationType> = {
    info: NotificationType.information,
    success: NotificationType.success,
    error: NotificationType.error,
  };
  for (const kind of Object.keys(IDS) as NoticeKind[]) {
    Notifications.registerNotification({
      id: IDS[kind],
      type: types[kind],
      content: React.createElement(NoticeContent),
      timeout: kind === 'error' ? 0 : 5000,
      closeButton: true,
    });
  }
  return (kind, title, message) => {
    Notifications.showNotification(IDS[kind], { title, message });
  };
}
