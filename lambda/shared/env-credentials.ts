/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (scripts/bundle-handlers.mjs aliases
 * it). Lambda always hands a function its role's credentials in environment variables, so the rest of the
 * default chain (SSO, STS web identity, profiles, instance metadata) is dead weight: about 53 KB of every bundle.
 * The handlers' TypeScript sources, run locally or in tests, keep the SDK's full chain.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { environmentCredentials } from './config';

export const defaultProvider = () => async (): Promise<AwsCredentialIdentity> => {
  const credentials = environmentCredentials();
  if (!credentials) {
    throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the bundled handlers run in Lambda only');
  }
  return credentials;
};
