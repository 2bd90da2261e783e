// The settings a handler reads from its environment (lambda/shared/config.ts), beyond the table settings that
// test/handlers/http.test.ts covers: numeric defaults and bounds, the exact refusal of a broken deployment, the
// optional settings read from process.env on each call, and the credentials Lambda hands a function.
import { AUTH_MODES, DEFAULT_ATTENDEE_TTL_SECONDS, DEFAULT_SWEEP_MAX_CHECKS, ENV } from '../../lib/contract';
import {
  chimeRegion,
  environmentCredentials,
  lambdaEndpoint,
  meetingAccessFunction,
  readAuthConfig,
  readConfig,
} from '../../lambda/shared/config';

/** Sets (or, for undefined, removes) process.env variables for one test; afterEach puts the old values back. */
const saved = new Map<string, string | undefined>();
function setEnv(values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved.clear();
});

describe('readConfig', () => {
  it('reads the event bus and the sweep bound', () => {
    expect(readConfig({ [ENV.tableName]: 't', [ENV.eventBusName]: 'bus', [ENV.sweepMaxChecks]: '25' })).toMatchObject({
      eventBusName: 'bus',
      sweepMaxChecks: 25,
    });
  });

  it('takes an empty number setting as unset: the default applies', () => {
    expect(readConfig({ [ENV.tableName]: 't', [ENV.attendeeTtlSeconds]: '', [ENV.sweepMaxChecks]: '' })).toMatchObject({
      attendeeTtlSeconds: DEFAULT_ATTENDEE_TTL_SECONDS,
      sweepMaxChecks: DEFAULT_SWEEP_MAX_CHECKS,
    });
  });

  it('accepts 1 as the smallest number setting', () => {
    expect(
      readConfig({ [ENV.tableName]: 't', [ENV.attendeeTtlSeconds]: '1', [ENV.sweepMaxChecks]: '1' }),
    ).toMatchObject({ attendeeTtlSeconds: 1, sweepMaxChecks: 1 });
  });

  it.each([
    [ENV.attendeeTtlSeconds, '0'],
    [ENV.attendeeTtlSeconds, 'soon'],
    [ENV.sweepMaxChecks, '0'],
    [ENV.sweepMaxChecks, '9007199254740992'],
  ])('refuses %s=%s, saying it must be a positive whole number', (name, value) => {
    expect(() => readConfig({ [ENV.tableName]: 't', [name]: value })).toThrow(
      new Error(`${name} must be a positive whole number`),
    );
  });

  it('names the meeting creation modes when it refuses another', () => {
    expect(() => readConfig({ [ENV.tableName]: 't', [ENV.meetingCreation]: 'everyone' })).toThrow(
      new Error('MEETING_CREATION must be one of admins, users'),
    );
  });
});

describe('readAuthConfig', () => {
  it('refuses a missing mode, saying it got nothing', () => {
    expect(() => readAuthConfig({})).toThrow(
      new Error('AUTH_MODE must be one of iam, cognito, custom, none; got nothing'),
    );
  });

  it('refuses an unknown mode, quoting it', () => {
    expect(() => readAuthConfig({ [ENV.authMode]: 'open' })).toThrow(
      new Error('AUTH_MODE must be one of iam, cognito, custom, none; got "open"'),
    );
  });

  it.each(AUTH_MODES)('accepts the mode %s', (mode) => {
    expect(readAuthConfig({ [ENV.authMode]: mode }).mode).toBe(mode);
  });
});

describe('settings read on each call', () => {
  it.each([
    ['chimeRegion', chimeRegion, ENV.chimeRegion, 'us-east-1'],
    [
      'meetingAccessFunction',
      meetingAccessFunction,
      ENV.meetingAccessFunction,
      'arn:aws:lambda:eu-west-1:123456789012:function:access',
    ],
    ['lambdaEndpoint', lambdaEndpoint, 'AWS_ENDPOINT_URL_LAMBDA', 'http://127.0.0.1:9001'],
  ])('%s: the value when set, undefined when unset or empty', (_, read, name, value) => {
    setEnv({ [name]: value });
    expect(read()).toBe(value);
    setEnv({ [name]: '' });
    expect(read()).toBeUndefined();
    setEnv({ [name]: undefined });
    expect(read()).toBeUndefined();
  });
});

describe('environmentCredentials', () => {
  it('returns the key pair and the session token Lambda sets', () => {
    setEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    expect(environmentCredentials()).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it.each([undefined, ''])('leaves the session token out when it is %p (long-term keys)', (token) => {
    setEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: token });
    expect(environmentCredentials()).toStrictEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: undefined,
    });
  });

  it.each([
    ['the key id', { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: 'secret' }],
    ['the secret key', { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: '' }],
    ['both keys', { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: undefined }],
  ])('returns nothing without %s', (_, keys) => {
    setEnv({ ...keys, AWS_SESSION_TOKEN: 'token' });
    expect(environmentCredentials()).toBeUndefined();
  });
});
