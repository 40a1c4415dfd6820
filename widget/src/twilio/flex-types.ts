/**
 * The parts of Twilio Flex UI 2.x the adapter reads, typed structurally, so the adapter (and its
 * tests) need neither @twilio/flex-ui nor React: the plugin hands the real objects over. Field names
 * are Flex UI 2.17's (`ITask` in models/CommonModels.d.ts, `Conference`/`ConferenceParticipant` in
 * state/Conferences, `Manager.user`, `Manager.workerClient`, `Manager.events`).
 */
export interface FlexConferenceParticipant {
  callSid?: string;
  /** `customer | supervisor | agent | worker | external | unknown | transfer`. */
  participantType?: string;
}

/** Voice task attributes as TaskRouter / Studio set them (`call_sid`, `from`, `conference`…). */
export interface FlexTaskAttributes {
  call_sid?: unknown;
  from?: unknown;
  caller?: unknown;
  conference?: { sid?: unknown; participants?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface FlexTask {
  sid?: string;
  taskSid?: string;
  status?: string;
  taskChannelUniqueName?: string;
  attributes?: FlexTaskAttributes;
  conference?: { conferenceSid?: string; participants?: FlexConferenceParticipant[] } | null;
}

/** What `manager.events.addListener('tokenUpdated', …)` hands the listener. */
export interface FlexTokenPayload {
  token?: string;
  expiration?: string | number;
}

export interface FlexEvents {
  addListener(event: 'tokenUpdated', listener: (payload: FlexTokenPayload) => void): unknown;
  removeListener(event: 'tokenUpdated', listener: (payload: FlexTokenPayload) => void): unknown;
}

export interface FlexManagerLike {
  user?: { token?: string; identity?: string } | null;
  workerClient?: { sid?: string; name?: string; attributes?: Record<string, unknown> } | null;
  events?: FlexEvents;
}
