/** Ids, join tokens and keys: random bytes from the OS, or a SHA-256 counter stream when seeded (reproducible runs). */
import { createHash, randomBytes } from 'node:crypto';

export class RandomSource {
  private counter = 0;
  constructor(private readonly seed?: string) {}

  bytes(length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length);
    const chunks: Buffer[] = [];
    for (let size = 0; size < length; size += 32) {
      chunks.push(createHash('sha256').update(`${this.seed}:${this.counter++}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
  }

  /** An RFC 4122 version 4 UUID, the form of Chime's MeetingId and AttendeeId. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
