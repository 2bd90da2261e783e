// The credential provider the Lambda bundles use instead of the SDK's default chain (lambda/shared/env-credentials.ts):
// the role's credentials from the environment, and a clear failure where there are none (outside Lambda).
import { defaultProvider } from '../../lambda/shared/env-credentials';

const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = NAMES.map((name) => [name, process.env[name]] as const);
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('resolves the credentials Lambda sets in the environment, read when the SDK asks for them', async () => {
  const provider = defaultProvider();
  process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_SESSION_TOKEN = 'session';
  await expect(provider()).resolves.toEqual({
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'session',
  });
});

it('fails, saying the bundles run in Lambda only, when the environment holds no credentials', async () => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await expect(defaultProvider()()).rejects.toThrow(
    new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the bundled handlers run in Lambda only'),
  );
});
