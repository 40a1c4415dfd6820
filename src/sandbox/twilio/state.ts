/**
 * What the stand-in knows: one account, its calls and their streams, one TaskRouter workspace with
 * its workers, tasks and reservations, and the Flex tokens it issued. Memory only: a restart is a
 * fresh account, as a sandbox should be. Records hold Twilio's fields; views.ts renders them.
 */

export type CallStatus =
  'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

export interface CallRecord {
  sid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api';
  status: CallStatus;
  createdAt: number;
  updatedAt: number;
  startedAt: number;
  endedAt?: number;
  /** The catalogue voice the caller spoke with first, when placed with one (shown on the Flex page). */
  voice?: string;
}

export type StreamStatus = 'in-progress' | 'stopped';

export interface StreamRecord {
  sid: string;
  callSid: string;
  name?: string;
  url: string;
  track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  parameters: Record<string, string>;
  status: StreamStatus;
  updatedAt: number;
  /** How it began: TwiML `<Start><Stream>` or `POST …/Streams.json`. */
  origin: 'twiml' | 'rest';
  /** What the stand-in saw of the WebSocket (for tests and the call report). */
  socket: {
    connected: boolean;
    mediaSent: number;
    secondsSent: number;
    closeCode?: number;
    closeReason?: string;
    closedBy?: 'stand-in' | 'server';
    error?: string;
  };
}

export interface WorkerRecord {
  sid: string;
  /** The Flex identity (`contact_uri` without `client:`); what /sandbox/flex/tokens takes. */
  identity: string;
  friendlyName: string;
  activityName: 'Available' | 'Offline' | 'Unavailable';
  createdAt: number;
  updatedAt: number;
}

export type AssignmentStatus = 'pending' | 'reserved' | 'assigned' | 'wrapping' | 'completed' | 'canceled';

export interface TaskRecord {
  sid: string;
  callSid: string;
  attributes: Record<string, unknown>;
  assignmentStatus: AssignmentStatus;
  createdAt: number;
  updatedAt: number;
}

export type ReservationStatus =
  'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';

export interface ReservationRecord {
  sid: string;
  taskSid: string;
  workerSid: string;
  status: ReservationStatus;
  createdAt: number;
  updatedAt: number;
}

export interface FlexTokenRecord {
  token: string;
  workerSid: string;
  identity: string;
  issuedAt: number;
  expiresAt: number;
}

export interface TwilioState {
  accountSid: string;
  authToken: string;
  workspaceSid: string;
  /** The number callers dial (the Flex number's `To`). */
  phoneNumber: string;
  calls: Map<string, CallRecord>;
  streams: Map<string, StreamRecord>;
  workers: WorkerRecord[];
  tasks: Map<string, TaskRecord>;
  reservations: Map<string, ReservationRecord>;
  flexTokens: Map<string, FlexTokenRecord>;
}

/** Keeps the last `max` entries of a map (insertion order): a long sandbox run does not grow without end. */
export function trim<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
