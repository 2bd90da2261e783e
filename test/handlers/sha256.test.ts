// Which node:crypto primitive lambda/shared/sha256.ts digests with: the one-shot hash() where Node has it (no Hash
// object per digest, the module's reason to exist), createHash where it does not (Node before 20.12). Both must give
// the same bytes; test/handlers/clients.test.ts checks the bytes against node:crypto for any input.
import type * as NodeCrypto from 'node:crypto';
import type { Sha256 as Sha256Class } from '../../lambda/shared/sha256';

// The very object the module imports: its properties are what the module reads when it loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto: typeof NodeCrypto = require('node:crypto');

/** The module loaded afresh, so it chooses its digest function again from node:crypto as it is now. */
function freshSha256(): typeof Sha256Class {
  let loaded: typeof Sha256Class | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('../../lambda/shared/sha256').Sha256;
  });
  return loaded!;
}

async function hex(hash: Sha256Class, data: string): Promise<string> {
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('hex');
}

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'; // FIPS 180-2 "abc"
const JEFE = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'; // RFC 4231 case 2

afterEach(() => jest.restoreAllMocks());

/** The algorithms createHash was asked for, SHA-256 only (jest's own module loading asks for SHA-1). */
const sha256Calls = (createHash: jest.SpyInstance) =>
  createHash.mock.calls.map(([algorithm]) => algorithm).filter((algorithm) => algorithm === 'sha256');

describe('Sha256 on a Node.js with the one-shot crypto.hash()', () => {
  it('digests and keys HMAC with hash(), making no Hash object', async () => {
    const hash = jest.spyOn(nodeCrypto, 'hash');
    const createHash = jest.spyOn(nodeCrypto, 'createHash');
    const Sha256 = freshSha256();
    expect(await hex(new Sha256(), 'abc')).toBe(ABC);
    expect(await hex(new Sha256('Jefe'), 'what do ya want for nothing?')).toBe(JEFE);
    expect(sha256Calls(createHash)).toEqual([]);
    // One digest for the plain hash, two (inner and outer) for the HMAC.
    expect(hash.mock.calls.map(([algorithm, , encoding]) => [algorithm, encoding])).toEqual([
      ['sha256', 'buffer'],
      ['sha256', 'buffer'],
      ['sha256', 'buffer'],
    ]);
  });
});

describe('Sha256 on a Node.js without crypto.hash() (before 20.12)', () => {
  it('falls back to createHash and gives the same digests', async () => {
    const createHash = jest.spyOn(nodeCrypto, 'createHash');
    const oneShot = Object.getOwnPropertyDescriptor(nodeCrypto, 'hash')!;
    // Absent while the module loads and while it digests.
    Object.defineProperty(nodeCrypto, 'hash', { ...oneShot, value: undefined });
    try {
      const Sha256 = freshSha256();
      expect(await hex(new Sha256(), 'abc')).toBe(ABC);
      expect(await hex(new Sha256('Jefe'), 'what do ya want for nothing?')).toBe(JEFE);
      // A key longer than the 64-byte block is hashed first, with the same fallback.
      const longKey = 'k'.repeat(65);
      const expected = nodeCrypto.createHmac('sha256', longKey).update('m').digest('hex');
      expect(await hex(new Sha256(longKey), 'm')).toBe(expected);
      expect(sha256Calls(createHash)).toEqual(Array(6).fill('sha256'));
    } finally {
      Object.defineProperty(nodeCrypto, 'hash', oneShot);
    }
  });
});
