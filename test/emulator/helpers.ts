import { ChimeSDKMeetingsClient, type ChimeSDKMeetingsClientConfig } from '@aws-sdk/client-chime-sdk-meetings';
import type { ChimeEmulator } from '../../local/chime-emulator';

// The SDK warns about Node 20 on every client; the Lambda runtime is Node 22 (see TOOLCHAIN.md).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A real SDK client aimed at the emulator; one attempt unless a test asks for the SDK's retries. */
export function chimeClient(
  emulator: ChimeEmulator,
  config: Partial<ChimeSDKMeetingsClientConfig> = {},
): ChimeSDKMeetingsClient {
  return new ChimeSDKMeetingsClient({ ...emulator.clientConfig(), maxAttempts: 1, ...config });
}

/** The error an SDK call fails with, typed loosely enough to read modeled members (Code, RetryAfterSeconds). */
export interface SdkError extends Error {
  Code?: string;
  RequestId?: string;
  RetryAfterSeconds?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number };
}

/** Resolves to the rejection of `promise`; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A fake but well-formed SigV4 Authorization header for raw fetch requests. */
export function sigV4Header(service = 'chime', accessKeyId = 'AKIAEMULATOR'): Record<string, string> {
  return {
    authorization:
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': '20250101T000000Z',
  };
}
