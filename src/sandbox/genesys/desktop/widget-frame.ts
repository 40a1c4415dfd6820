import type { ConversationRecord, IntegrationRecord, OrgState } from '../state/model.js';

export const WIDGET_TYPE = 'embedded-client-app-interaction-widget';

/**
 * iframe sandbox flags a browser knows. Anything else in the integration's `sandbox` property is
 * left out, as Genesys' UI would not offer it, and a browser would log it as an error.
 */
const SANDBOX_FLAGS = new Set([
  'allow-downloads',
  'allow-forms',
  'allow-modals',
  'allow-orientation-lock',
  'allow-pointer-lock',
  'allow-popups',
  'allow-popups-to-escape-sandbox',
  'allow-presentation',
  'allow-same-origin',
  'allow-scripts',
  'allow-storage-access-by-user-activation',
  'allow-top-navigation',
  'allow-top-navigation-by-user-activation',
  'allow-top-navigation-to-custom-protocols',
]);

/** What an integration without a `sandbox` property gets: the client-app default of reference §3.1. */
export const DEFAULT_WIDGET_SANDBOX =
  'allow-forms,allow-modals,allow-popups,allow-presentation,allow-same-origin,allow-scripts,allow-downloads';

/** What the desktop page frames for one conversation. */
export interface WidgetFrame {
  integrationId: string;
  name: string;
  /** The integration's URL with Genesys' tokens filled in. */
  src: string;
  /** The iframe's `sandbox` attribute (space separated). */
  sandbox: string;
  /** The iframe's `allow` attribute (`feature; feature`). */
  allow: string;
  /** The integration asked for the `bootstrap` lifecycle event (`advanced.lifecycle.hooks.bootstrap`). */
  bootstrapHook: boolean;
}

export interface FrameRequest {
  conversationId: string;
  /** The agent whose desktop this is (group membership decides whether the widget shows). */
  agentId: string;
  /** gcLangTag, e.g. `en-us`, `es`. */
  language: string;
  /** Frame without `allow-popups`, as an org whose integration lacks it would. */
  popupsBlocked: boolean;
  /** gcHostOrigin: the origin of the page that frames the widget (the org's own, for the sandbox). */
  hostOrigin: string;
  /** gcTargetEnv. */
  targetEnv: string;
}

export type FrameResult = { widget: WidgetFrame } | { widget: null; reason: string };

/**
 * Fills the URL tokens Genesys substitutes when it frames a client app (reference §3.1): the
 * current `gc…` names and their legacy `pc…` twins. Values are URL-encoded, as they land in a query.
 * Tokens the sandbox does not know are left as they are.
 */
export function fillUrlTokens(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name]!) : whole,
  );
}

function list(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

function visibleFor(
  state: OrgState,
  integration: IntegrationRecord,
  conversation: ConversationRecord,
  agentId: string,
): string | undefined {
  const p = integration.config.properties;
  const types = list(p.communicationTypeFilter).map((t) => t.toLowerCase());
  if (types.length > 0 && !types.includes('call')) return 'its communicationTypeFilter leaves out calls';
  const queues = Array.isArray(p.queueIdFilterList) ? (p.queueIdFilterList as string[]) : [];
  if (queues.length > 0 && (!conversation.queueId || !queues.includes(conversation.queueId))) {
    return "the call's queue is not in its queueIdFilterList";
  }
  const groups = Array.isArray(p.groups) ? (p.groups as string[]) : [];
  if (groups.length > 0) {
    const member = state.groups.some((g) => groups.includes(g.id) && g.memberIds.includes(agentId));
    if (!member) return 'the agent is in none of its groups';
  }
  return undefined;
}

/**
 * The org's enabled Interaction Widget for a conversation, as the agent UI would frame it: the
 * first enabled and active widget integration (by name) whose filters let it show for this call
 * and agent, with its URL tokens filled in and its iframe `sandbox` and `permissions` applied.
 */
export function widgetFrame(state: OrgState, request: FrameRequest): FrameResult {
  const conversation = state.conversations.find((c) => c.id === request.conversationId);
  if (!conversation) return { widget: null, reason: `conversation ${request.conversationId} not found` };
  const enabled = state.integrations
    .filter(
      (i) =>
        i.integrationTypeId === WIDGET_TYPE &&
        i.intendedState === 'ENABLED' &&
        i.reportedState.code === 'ACTIVE',
    )
    .sort((a, b) => a.config.name.localeCompare(b.config.name));
  if (enabled.length === 0) {
    return {
      widget: null,
      reason: 'no Interaction Widget integration is enabled in this org (run provision)',
    };
  }
  const reasons: string[] = [];
  for (const integration of enabled) {
    const hidden = visibleFor(state, integration, conversation, request.agentId);
    if (hidden) {
      reasons.push(`${integration.config.name}: ${hidden}`);
      continue;
    }
    const p = integration.config.properties;
    const flags = list(
      typeof p.sandbox === 'string' && p.sandbox.trim() !== '' ? p.sandbox : DEFAULT_WIDGET_SANDBOX,
    )
      .filter((f) => SANDBOX_FLAGS.has(f))
      .filter((f) => !(request.popupsBlocked && f.startsWith('allow-popups')));
    const allow = list(p.permissions).filter((f) => /^[a-z][a-z0-9-]*$/.test(f));
    const hooks = (integration.config.advanced.lifecycle as { hooks?: { bootstrap?: boolean } } | undefined)
      ?.hooks;
    const url = typeof p.url === 'string' ? p.url : '';
    const values: Record<string, string> = {
      gcConversationId: conversation.id,
      pcConversationId: conversation.id,
      gcInteractionId: conversation.id,
      gcInteractionType: 'conversation',
      gcHostOrigin: request.hostOrigin,
      gcTargetEnv: request.targetEnv,
      gcLangTag: request.language,
      pcLangTag: request.language,
      pcEnvironment: new URL(request.hostOrigin).host,
      gcUsePopupAuth: 'false',
      pcUsePopupAuth: 'false',
    };
    return {
      widget: {
        integrationId: integration.id,
        name: integration.config.name,
        src: fillUrlTokens(url, values),
        sandbox: [...new Set(flags)].join(' '),
        allow: [...new Set(allow)].join('; '),
        bootstrapHook: hooks?.bootstrap === true,
      },
    };
  }
  return {
    widget: null,
    reason: `no enabled Interaction Widget shows for this call (${reasons.join('; ')})`,
  };
}
