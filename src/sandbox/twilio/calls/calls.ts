/**
 * Calls on the stand-in: an inbound caller (the sandbox control route) or an outbound-api call (REST),
 * each running its TwiML, with the Media Streams the TwiML or the Streams resource starts. The caller's
 * voice goes to every stream open when they speak, paced with the kit's pacer at the call's `speed`.
 *
 * Between utterances nothing is sent (Twilio would send the line's silence every 20 ms): das-Peak keeps
 * audio that arrives before its session for a while, and silence sent faster than real time would push
 * the caller's words out of that buffer. The Genesys sandbox's calls make the same choice.
 */
import type { Logger } from '../../../log.js';
import { invalidCallState, notFound } from '../errors.js';
import { newSid } from '../sids.js';
import { trim, type CallRecord, type StreamRecord, type TwilioState } from '../state.js';
import { MediaStreamConnection } from './media-stream.js';
import { readTwiml, type StreamInstruction } from './twiml.js';

interface LiveStream {
  record: StreamRecord;
  /** Utterances not yet sent, in order. */
  queue: Uint8Array[];
  wake: () => void;
  stop: AbortController;
  done: Promise<void>;
}

interface LiveCall {
  record: CallRecord;
  speed: number;
  hangup: AbortController;
  streams: Map<string, LiveStream>;
  ended: Promise<CallRecord>;
  end: () => void;
}

export interface CallEvents {
  /** The call ended (hang-up by anyone): tasks follow it. */
  onCallEnded?: (call: CallRecord) => void;
}

export interface CallManagerOptions extends CallEvents {
  state: TwilioState;
  logger: Logger;
  now(): number;
}

/** A hung-up call stays readable (REST fetch, reports) for this many calls. */
const KEEP_CALLS = 1000;

export class CallManager {
  private readonly live = new Map<string, LiveCall>();

  constructor(private readonly o: CallManagerOptions) {}

  private get state(): TwilioState {
    return this.o.state;
  }

  get(callSid: string): CallRecord | undefined {
    return this.state.calls.get(callSid);
  }

  /** Creates an in-progress call (the caller has been answered) and runs `twiml` on it. */
  create(
    call: { from: string; to: string; direction: CallRecord['direction']; speed: number; voice?: string },
    twiml: string,
  ): CallRecord {
    // Read first: a document Twilio could not parse never becomes a live call here.
    const instructions = readTwiml(twiml);
    const now = this.o.now();
    const record: CallRecord = {
      sid: newSid('CA'),
      from: call.from,
      to: call.to,
      direction: call.direction,
      status: 'in-progress',
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      ...(call.voice !== undefined ? { voice: call.voice } : {}),
    };
    this.state.calls.set(record.sid, record);
    trim(this.state.calls, KEEP_CALLS);
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    const live: LiveCall = {
      record,
      speed: call.speed,
      hangup: new AbortController(),
      streams: new Map(),
      ended: ended.then(() => this.finish(live)),
      end,
    };
    this.live.set(record.sid, live);
    this.run(live, instructions);
    return record;
  }

  /** Runs more TwiML on a live call (`POST Calls/{CA}.json` with `Twiml`). */
  redirect(callSid: string, twiml: string): CallRecord {
    const live = this.liveCall(callSid);
    this.run(live, readTwiml(twiml));
    return live.record;
  }

  private run(live: LiveCall, instructions: ReturnType<typeof readTwiml>): void {
    for (const i of instructions) {
      if (i.verb === 'hangup') {
        void this.hangup(live.record.sid);
        return;
      }
      this.openStream(live, i, 'twiml');
    }
  }

  private liveCall(callSid: string): LiveCall {
    const record = this.state.calls.get(callSid);
    if (!record) throw notFound(`/2010-04-01/Accounts/${this.state.accountSid}/Calls/${callSid}.json`);
    const live = this.live.get(callSid);
    if (!live || record.status !== 'in-progress') throw invalidCallState(callSid, record.status);
    return live;
  }

  /** `POST …/Calls/{CA}/Streams.json`: 21220 when the call is not in progress. */
  startStream(callSid: string, stream: StreamInstruction): StreamRecord {
    return this.openStream(this.liveCall(callSid), stream, 'rest');
  }

  private openStream(live: LiveCall, i: StreamInstruction, origin: StreamRecord['origin']): StreamRecord {
    const now = this.o.now();
    const record: StreamRecord = {
      sid: newSid('MZ'),
      callSid: live.record.sid,
      ...(i.name !== undefined ? { name: i.name } : {}),
      url: i.url,
      track: i.track,
      parameters: i.parameters,
      status: 'in-progress',
      updatedAt: now,
      origin,
      socket: { connected: false, mediaSent: 0, secondsSent: 0 },
    };
    this.state.streams.set(record.sid, record);
    trim(this.state.streams, KEEP_CALLS * 2);
    const stream: LiveStream = {
      record,
      queue: [],
      wake: () => {},
      stop: new AbortController(),
      done: Promise.resolve(),
    };
    live.streams.set(record.sid, stream);
    stream.done = this.pump(live, stream).catch((err: unknown) => {
      this.o.logger.error({ err, streamSid: record.sid }, 'Twilio stand-in: stream failed');
    });
    return record;
  }

  /** One stream's life: connect, send each utterance as it comes, stop on request or hang-up. */
  private async pump(live: LiveCall, stream: LiveStream): Promise<void> {
    const { record } = stream;
    const signal = AbortSignal.any([stream.stop.signal, live.hangup.signal]);
    let conn: MediaStreamConnection | undefined;
    try {
      conn = await MediaStreamConnection.open({
        url: record.url,
        accountSid: this.state.accountSid,
        callSid: record.callSid,
        streamSid: record.sid,
        customParameters: record.parameters,
        track: record.track,
        logger: this.o.logger,
      });
    } catch (err) {
      // Twilio logs 31920 (Stream - WebSocket - Handshake Error) and the call goes on without the stream.
      record.socket.error = err instanceof Error ? err.message : String(err);
      this.o.logger.info(
        { streamSid: record.sid, url: record.url, err: record.socket.error },
        'Twilio stand-in: stream could not connect',
      );
      this.markStopped(live, record);
      return;
    }
    record.socket.connected = true;
    const closedByServer = conn.closed.then((c) => c);
    const stopped = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    let serverClosed = false;
    void closedByServer.then(() => {
      serverClosed = true;
      stream.wake();
    });
    try {
      while (!signal.aborted && !serverClosed) {
        const next = stream.queue.shift();
        if (next) {
          await conn.play(next, live.speed, signal, (sent) => {
            record.socket.mediaSent = sent;
            record.socket.secondsSent = Math.round(sent * 2) / 100;
          });
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (stream.wake = resolve)), stopped]);
        stream.wake = () => {};
      }
    } finally {
      const closed = await conn.stop();
      record.socket.mediaSent = conn.mediaSent;
      record.socket.secondsSent = Math.round(conn.mediaSent * 2) / 100;
      record.socket.closeCode = closed.code;
      record.socket.closeReason = closed.reason;
      record.socket.closedBy = closed.byServer ? 'server' : 'stand-in';
      this.markStopped(live, record);
    }
  }

  private markStopped(live: LiveCall, record: StreamRecord): void {
    if (record.status !== 'stopped') {
      record.status = 'stopped';
      record.updatedAt = this.o.now();
    }
    live.streams.delete(record.sid);
  }

  /** `POST …/Streams/{MZ or name}.json Status=stopped`: 20404 for a stream the call does not have. */
  async stopStream(callSid: string, sidOrName: string): Promise<StreamRecord> {
    const call = this.state.calls.get(callSid);
    const path = `/2010-04-01/Accounts/${this.state.accountSid}/Calls/${callSid}/Streams/${sidOrName}.json`;
    if (!call) throw notFound(path);
    const candidates = [...this.state.streams.values()].filter(
      (s) => s.callSid === callSid && (s.sid === sidOrName || s.name === sidOrName),
    );
    // A name can be reused once its stream stopped: the live one wins.
    const record = candidates.find((s) => s.status === 'in-progress') ?? candidates.at(-1);
    if (!record) throw notFound(path);
    const live = this.live.get(callSid)?.streams.get(record.sid);
    if (live) {
      live.stop.abort();
      await live.done;
    }
    return record;
  }

  streamsOf(callSid: string): StreamRecord[] {
    return [...this.state.streams.values()].filter((s) => s.callSid === callSid);
  }

  /** The caller says `audio` now, on every stream open on the call; 21220 once the call has ended. */
  speak(callSid: string, audio: Uint8Array): CallRecord {
    const live = this.liveCall(callSid);
    for (const s of live.streams.values()) {
      s.queue.push(audio);
      s.wake();
    }
    return live.record;
  }

  /** Ends a call (either side hangs up): its streams send `stop`, its tasks follow. Idempotent. */
  hangup(callSid: string, status: 'completed' | 'canceled' = 'completed'): Promise<CallRecord> {
    const record = this.state.calls.get(callSid);
    if (!record) {
      return Promise.reject(notFound(`/2010-04-01/Accounts/${this.state.accountSid}/Calls/${callSid}.json`));
    }
    const live = this.live.get(callSid);
    if (!live) return Promise.resolve(record);
    if (!live.hangup.signal.aborted) {
      live.hangup.abort();
      live.end();
      record.status = status;
    }
    return live.ended;
  }

  /** Resolves once the call has ended (now, when it already has). */
  wait(callSid: string): Promise<CallRecord> | undefined {
    const record = this.state.calls.get(callSid);
    if (!record) return undefined;
    return this.live.get(callSid)?.ended ?? Promise.resolve(record);
  }

  private async finish(live: LiveCall): Promise<CallRecord> {
    await Promise.all([...live.streams.values()].map((s) => s.done));
    const now = this.o.now();
    live.record.endedAt = now;
    live.record.updatedAt = now;
    this.live.delete(live.record.sid);
    try {
      this.o.onCallEnded?.(live.record);
    } catch (err) {
      this.o.logger.error({ err }, 'Twilio stand-in: call-ended hook failed');
    }
    return live.record;
  }

  get liveCount(): number {
    return this.live.size;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((sid) => this.hangup(sid)));
  }
}
