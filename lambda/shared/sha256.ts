/**
 * SHA-256 and HMAC-SHA256 for the SDK's SigV4 signer (the clients' `sha256` option), computed with node:crypto's
 * one-shot `hash()`. The SDK's own implementation makes a native Hash or Hmac object for every digest: eleven per
 * warm join, each tracked by a weak handle that the garbage collector must process, about a third of every
 * young-generation pause. One-shot hashing makes no such object. HMAC is built from it as RFC 2104 defines it:
 * H((K ^ opad) || H((K ^ ipad) || message)), with K hashed first when longer than the 64-byte block.
 */
import * as crypto from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const BLOCK_BYTES = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

/** Node.js 20.12+ and 22 (Lambda's runtime) have the one-shot form; an older Node falls back to createHash. */
const digestOf: (data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

function toBuffer(data: SourceData): Buffer {
  // Stryker disable next-line ConditionalExpression,StringLiteral: Buffer.from's default for a string is UTF-8 too
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The block-sized key XORed with a pad byte (the key is at most one block by then). */
function padded(key: Buffer, pad: number): Buffer {
  const block = Buffer.alloc(BLOCK_BYTES, pad);
  // Stryker disable next-line EqualityOperator: `<=` XORs block[key.length] with undefined (0), which changes no byte
  for (let i = 0; i < key.length; i++) block[i] ^= key[i];
  return block;
}

/** The SDK's Checksum interface: `new Sha256()` digests, `new Sha256(secret)` is HMAC-SHA256 keyed by secret. */
export class Sha256 {
  private readonly key: Buffer | undefined;
  private chunks: Buffer[] = [];

  constructor(secret?: SourceData) {
    // As the SDK's own: no secret (or an empty string) is a plain digest.
    if (!secret) return;
    const key = toBuffer(secret);
    this.key = key.length > BLOCK_BYTES ? digestOf(key) : key;
  }

  update(data: SourceData): void {
    this.chunks.push(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    const message = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    if (this.key === undefined) return digestOf(message);
    const inner = digestOf(Buffer.concat([padded(this.key, IPAD), message]));
    return digestOf(Buffer.concat([padded(this.key, OPAD), inner]));
  }

  reset(): void {
    this.chunks = [];
  }
}
