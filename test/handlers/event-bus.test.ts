// The service's own events on its event bus (lambda/shared/event-bus.ts): one PutEvents entry per event in the
// service's terms (its source, the event's type as detail-type, Chime's time, the ids as Detail), nothing sent
// without a bus or without events, a failed entry fails the call (so Lambda retries the event), and one client per
// container, built like the other clients (bounded retries and timeouts, one-shot SHA-256, cached middleware,
// signed as EventBridge).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { RetryStrategyV2, SdkError } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import { eventBus, type EventBusDeps, type ServiceEvent } from '../../lambda/shared/event-bus';
import type { Sha256 } from '../../lambda/shared/sha256';
import { ATTENDEE_ID, MEETING_ID, TABLE } from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.eventBusName] = 'service-events';
// For the signer the client builds (the default credential and region chains read these).
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

const eventBridge = mockClient(EventBridgeClient);
beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }] });
});

const JOINED_AT = '2030-01-02T03:00:00.123Z';
const ENDED_AT = '2030-01-02T04:00:00.000Z';
const joined: ServiceEvent = {
  type: 'Attendee Joined',
  MeetingId: MEETING_ID,
  ExternalMeetingId: 'standup',
  AttendeeId: ATTENDEE_ID,
  ExternalUserId: 'alice',
  Time: JOINED_AT,
};
const ended: ServiceEvent = {
  type: 'Meeting Ended',
  MeetingId: MEETING_ID,
  ExternalMeetingId: 'standup',
  Time: ENDED_AT,
};

it('puts one entry per event on the configured bus: source cdk-chime-join-service, the type as detail-type, Chime’s time, the rest as Detail', async () => {
  await eventBus.publish([joined, ended]);

  const calls = eventBridge.commandCalls(PutEventsCommand);
  expect(calls).toHaveLength(1);
  const { Entries } = calls[0].args[0].input;
  expect(Entries).toStrictEqual([
    {
      EventBusName: 'service-events',
      Source: 'cdk-chime-join-service',
      DetailType: 'Attendee Joined',
      Time: new Date(JOINED_AT),
      Detail: expect.any(String),
    },
    {
      EventBusName: 'service-events',
      Source: 'cdk-chime-join-service',
      DetailType: 'Meeting Ended',
      Time: new Date(ENDED_AT),
      Detail: expect.any(String),
    },
  ]);
  // The type is the detail-type, not part of the Detail.
  expect(JSON.parse(Entries![0].Detail!)).toStrictEqual({
    MeetingId: MEETING_ID,
    ExternalMeetingId: 'standup',
    AttendeeId: ATTENDEE_ID,
    ExternalUserId: 'alice',
    Time: JOINED_AT,
  });
  expect(JSON.parse(Entries![1].Detail!)).toStrictEqual({
    MeetingId: MEETING_ID,
    ExternalMeetingId: 'standup',
    Time: ENDED_AT,
  });
});

it('sends nothing when there is nothing to publish', async () => {
  await expect(eventBus.publish([])).resolves.toBeUndefined();
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
});

it('fails when EventBridge reports a failed entry, naming how many of how many, so Lambda retries the event', async () => {
  eventBridge.on(PutEventsCommand).resolves({
    FailedEntryCount: 1,
    Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
  });
  await expect(eventBus.publish([joined, ended])).rejects.toThrow(/^PutEvents failed for 1 of 2 events$/);
});

it('succeeds when EventBridge reports no failed entry', async () => {
  eventBridge.on(PutEventsCommand).resolves({ Entries: [{ EventId: 'e-1' }] });
  await expect(eventBus.publish([joined])).resolves.toBeUndefined();
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
});

/**
 * A new container: event-bus.ts and what it loads, afresh (its client and the configuration are built once per
 * container), with this container's EventBridgeClient mocked to accept every entry.
 */
async function newContainer() {
  let modules!: { bus: EventBusDeps; Client: typeof EventBridgeClient; Sha256: typeof Sha256 };
  await jest.isolateModulesAsync(async () => {
    modules = {
      bus: (await import('../../lambda/shared/event-bus')).eventBus,
      Client: (await import('@aws-sdk/client-eventbridge')).EventBridgeClient,
      Sha256: (await import('../../lambda/shared/sha256')).Sha256,
    };
  });
  const mock = mockClient(modules.Client);
  mock.onAnyCommand().resolves({ FailedEntryCount: 0 });
  return { ...modules, mock };
}

it('builds one client for the container: bounded retries, the one-shot SHA-256, a cached middleware stack, no logger, signed as EventBridge', async () => {
  const container = await newContainer();
  try {
    await container.bus.publish([joined]);
    await container.bus.publish([ended]);
    const [first, second] = container.mock.calls();
    const client = first.thisValue as EventBridgeClient;
    expect(client).toBeInstanceOf(container.Client);
    expect(second.thisValue).toBe(client);

    const { config } = client;
    expect(config.sha256).toBe(container.Sha256);
    expect(config.cacheMiddleware).toBe(true);
    expect(client.middlewareStack.identify().join('\n')).not.toMatch(/loggerMiddleware/);
    // retry.ts's strategy, not the SDK's: Chime's fixed-cap LimitExceededException (throttling to the SDK) is never
    // retried, where the SDK's standard strategy would retry it.
    const strategy = (await config.retryStrategy()) as RetryStrategyV2;
    const token = await strategy.acquireInitialRetryToken('events');
    const limit = Object.assign(new Error('limit'), { name: 'LimitExceededException' }) as SdkError;
    await expect(
      strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING', error: limit }),
    ).rejects.toThrow();
    // EventBridge's own throttling is retried (a PutEvents over the account's rate passes a moment later).
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' }) as SdkError;
    const retried = await strategy.acquireInitialRetryToken('events');
    await expect(
      strategy.refreshRetryTokenForRetry(retried, { errorType: 'THROTTLING', error: throttled }),
    ).resolves.toMatchObject({ getRetryCount: expect.any(Function) });

    // The one reused signer signs for the service name `events` (EventBridge's signing name).
    const signer = await (config.signer as unknown as () => Promise<{ sign: (request: unknown) => Promise<any> }>)();
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'events.us-east-1.amazonaws.com',
      path: '/',
      query: {},
      headers: { host: 'events.us-east-1.amazonaws.com', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/events\/aws4_request, /,
    );
  } finally {
    container.mock.restore();
  }
});

it('publishes nothing when the construct has no event bus', async () => {
  const container = await newContainer();
  const saved = process.env[ENV.eventBusName];
  delete process.env[ENV.eventBusName];
  try {
    await expect(container.bus.publish([joined, ended])).resolves.toBeUndefined();
    expect(container.mock.calls()).toHaveLength(0);
  } finally {
    process.env[ENV.eventBusName] = saved;
    container.mock.restore();
  }
});

it('puts events over HTTP with per-attempt timeouts that throw, so a hung PutEvents fails the event in time', async () => {
  // EventBridge on loopback: answers each PutEvents with every entry accepted.
  const targets: unknown[] = [];
  const server = createServer((request, response) => {
    targets.push(request.headers['x-amz-target']);
    request.resume().on('end', () => {
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // A new container whose client is the SDK's own, unmocked: its sends are watched, not replaced.
    let modules!: { bus: EventBusDeps; Client: typeof EventBridgeClient };
    await jest.isolateModulesAsync(async () => {
      modules = {
        bus: (await import('../../lambda/shared/event-bus')).eventBus,
        Client: (await import('@aws-sdk/client-eventbridge')).EventBridgeClient,
      };
    });
    const send = jest.spyOn(modules.Client.prototype, 'send');
    await modules.bus.publish([joined]);
    expect(targets).toEqual(['AWSEvents.PutEvents']);
    // The handler's options, as the first request resolved them: the 3 s per attempt ends with a TimeoutError, not
    // only a warning (clients.test.ts shows that on a server that never answers).
    const client = send.mock.contexts[0] as EventBridgeClient;
    expect((client.config.requestHandler as { httpHandlerConfigs(): object }).httpHandlerConfigs()).toMatchObject({
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      throwOnRequestTimeout: true,
    });
  } finally {
    delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
