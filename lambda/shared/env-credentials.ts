/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (scripts/bundle-handlers.mjs aliases
 * it). Lambda always hands a function its role's credentials in these environment variables, so the rest of the
 * default chain (SSO, STS web identity, profiles, instance metadata) is dead weight: about 53 KB of every bundle.
 * The handlers' TypeScript sources, run locally or in tests, keep the SDK's full chain.
 */
import type { AwsCredentialIdentity } from '@smithy/types';

export const defaultProvider = () => async (): Promise<AwsCredentialIdentity> => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the bundled handlers run in Lambda only');
  }
  return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
};
