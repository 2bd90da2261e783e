/**
 * ListAttendees paging cursors: NextToken is AES-256-GCM over {meeting, last creation sequence number}, so
 * clients can neither read nor forge a position, and a token of one meeting is refused for another.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ChimeError } from './errors';
import type { RandomSource } from './random';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CursorSealer {
  private readonly key: Buffer;

  constructor(private readonly random: RandomSource) {
    this.key = random.bytes(32);
  }

  seal(meetingId: string, seq: number): string {
    const iv = this.random.bytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify({ m: meetingId, s: seq }), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The sequence number a token of this meeting holds; BadRequestException for anything else. */
  open(meetingId: string, token: string): number {
    const invalid = new ChimeError('BadRequestException', 'NextToken is invalid or belongs to another request');
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw invalid;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const cursor = JSON.parse(
        Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8'),
      );
      if (cursor.m !== meetingId || !Number.isInteger(cursor.s)) throw invalid;
      return cursor.s as number;
    } catch {
      throw invalid;
    }
  }
}
