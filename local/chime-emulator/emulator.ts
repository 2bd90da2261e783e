/** The emulator: its state, the public methods, and the server that answers the SDK and the control API. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import { listenOnLoopback } from '../loopback';
import { connect, copy } from './attendees';
import { CursorSealer } from './cursors';
import { runOperation, type OperationContext } from './dispatch';
import { ChimeError } from './errors';
import {
  type AttendeeConnectionState,
  type ChimeMeetingEvent,
  type ChimeMeetingEventListener,
  EventBus,
} from './events';
import { type Fault, FaultQueue } from './faults';
import { Latency } from './latency';
import { DEFAULT_MAX_MEETING_DURATION_MS } from './limits';
import type { MeetingInput } from './meeting-document';
import { MeetingStore } from './meetings';
import { type ChimeOperation, CHIME_OPERATIONS, isChimeOperation } from './operations';
import { RandomSource } from './random';
import { type RateLimit, RateLimits } from './rate-limits';
import { handleRequest, type Pipeline, sendError } from './server';
import { type EmulatorStats, StatsCounters } from './stats';
import type { ChimeEmulator, ChimeEmulatorOptions } from './types';

/** Starts an emulator; it listens before the promise resolves. */
export async function startChimeEmulator(options: ChimeEmulatorOptions = {}): Promise<ChimeEmulator> {
  const emulator = new ChimeEmulatorServer(options);
  await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}

class ChimeEmulatorServer implements ChimeEmulator, Pipeline {
  readonly now: () => number;
  readonly log?: (line: string) => void;
  readonly accessKeyId?: string;
  readonly counters = new StatsCounters();
  readonly rateLimits = new RateLimits();
  readonly faults = new FaultQueue();
  readonly latency = new Latency();
  readonly control: ChimeEmulator = this;
  private readonly server: Server;
  private readonly bus: EventBus;
  private random: RandomSource;
  private cursors: CursorSealer;
  private store: MeetingStore;
  private address?: AddressInfo;

  constructor(private readonly options: ChimeEmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.accessKeyId = options.accessKeyId;
    this.bus = new EventBus(options.accountId ?? '123456789012', options.log);
    if (options.onEvent) this.bus.subscribe(options.onEvent);
    ({ random: this.random, cursors: this.cursors, store: this.store } = this.freshState());
    this.server = createServer((req, res) => {
      handleRequest(this, req, res).catch((error: unknown) => {
        // Only an emulator bug gets here: answer like the service's own failure, and say why.
        this.log?.(`chime-emulator: internal error: ${String(error)}`);
        if (!res.headersSent) sendError(this, res, undefined, new ChimeError('ServiceFailureException'));
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    this.address = await listenOnLoopback(this.server, port, host);
  }

  get port(): number {
    return this.address!.port;
  }

  get endpoint(): string {
    const host = this.address!.family === 'IPv6' ? `[${this.address!.address}]` : this.address!.address;
    return `http://${host}:${this.port}`;
  }

  clientConfig() {
    return {
      region: this.options.region ?? 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: this.options.accessKeyId ?? 'AKIAEMULATOR', secretAccessKey: 'emulator-secret' },
    };
  }

  async stop(): Promise<void> {
    this.latency.wakeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets of SDK clients and fetch would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  operationContext(controlRegion: string): OperationContext {
    this.store.expireDue();
    return {
      store: this.store,
      cursors: this.cursors,
      controlRegion,
      defaultMaxResults: this.options.defaultMaxResults ?? 10,
    };
  }

  setRateLimit(operation: ChimeOperation, limit: RateLimit | undefined): void {
    this.rateLimits.set(checked(operation), limit, this.now());
  }

  injectFault(operation: ChimeOperation, fault: Fault): void {
    this.faults.inject(checked(operation), fault);
  }

  setLatency(operation: ChimeOperation, milliseconds: number): void {
    this.latency.set(checked(operation), milliseconds);
  }

  resetFaults(): void {
    this.rateLimits.clear();
    this.faults.clear();
    this.latency.clear();
  }

  reset(): void {
    this.resetFaults();
    this.counters.reset();
    this.bus.clearRecorded();
    ({ random: this.random, cursors: this.cursors, store: this.store } = this.freshState());
  }

  stats(): EmulatorStats {
    this.store.expireDue();
    const { meetings, attendees } = this.store.counts();
    return this.counters.snapshot(meetings, attendees);
  }

  createMeeting(input: MeetingInput = {}): Meeting {
    const request = {
      ClientRequestToken: this.random.uuid(),
      MediaRegion: 'us-east-1',
      ExternalMeetingId: `emulator-${this.random.uuid()}`,
      ...input,
    };
    const context = this.operationContext(this.options.region ?? 'us-east-1');
    try {
      return (runOperation('CreateMeeting', request, context) as { Meeting: Meeting }).Meeting;
    } catch (error) {
      if (error instanceof ChimeError) throw new Error(`${error.type}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  endMeeting(meetingId: string): boolean {
    this.store.expireDue();
    return this.store.end(meetingId);
  }

  getMeeting(meetingId: string): Meeting | undefined {
    this.store.expireDue();
    const meeting = this.store.meetings.get(meetingId)?.meeting;
    return meeting && structuredClone(meeting);
  }

  attendees(meetingId: string): Attendee[] {
    this.store.expireDue();
    const record = this.store.meetings.get(meetingId);
    return record ? [...record.attendees.values()].map(({ attendee }) => copy(attendee)) : [];
  }

  resolveJoinToken(joinToken: string): { meetingId: string; attendeeId: string } | undefined {
    this.store.expireDue();
    const owner = this.store.joinTokens.get(joinToken);
    return owner && { ...owner };
  }

  subscribe(listener: ChimeMeetingEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  events(): ChimeMeetingEvent[] {
    return this.bus.events();
  }

  connect(meetingId: string, attendeeId: string, state: AttendeeConnectionState): ChimeMeetingEvent {
    this.store.expireDue();
    return connect(this.store, meetingId, attendeeId, state);
  }

  connectionState(meetingId: string, attendeeId: string): AttendeeConnectionState | undefined {
    this.store.expireDue();
    return this.store.meetings.get(meetingId)?.attendees.get(attendeeId)?.connection;
  }

  private freshState() {
    const random = new RandomSource(this.options.seed);
    const cursors = new CursorSealer(random);
    const maxMeetingDurationMs = this.options.maxMeetingDurationMs ?? DEFAULT_MAX_MEETING_DURATION_MS;
    if (!(maxMeetingDurationMs > 0)) throw new Error('maxMeetingDurationMs must be > 0');
    const store = new MeetingStore({
      now: this.now,
      random,
      events: this.bus,
      accountId: this.options.accountId ?? '123456789012',
      maxMeetings: this.options.maxMeetings ?? 1000,
      maxMeetingDurationMs,
    });
    return { random, cursors, store };
  }
}

function checked(operation: string): ChimeOperation {
  if (!isChimeOperation(operation)) {
    throw new Error(`unknown operation ${operation}; known: ${CHIME_OPERATIONS.join(', ')}`);
  }
  return operation;
}
