import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

/**
 * Nix's binary-cache signatures (ed25519), compatible with the keys that
 * `nix-store --generate-binary-cache-key NAME SECRET PUBLIC` writes: `NAME:BASE64`, where the
 * secret is 64 bytes (the 32-byte seed, then the public key) and the public key 32 bytes.
 */
export interface SigningKey {
  name: string;
  /** The matching public key in Nix's format, for trusted-public-keys. */
  publicKey: string;
  /** `NAME:BASE64(signature)`, the value of a narinfo's `Sig:` line. */
  sign(fingerprint: string): string;
}

// The DER framing of an ed25519 key, so node:crypto accepts Nix's raw bytes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function parseSecretKey(text: string): SigningKey {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const name = trimmed.slice(0, colon);
  const bytes = Buffer.from(trimmed.slice(colon + 1), 'base64');
  if (colon <= 0 || bytes.length !== 64) {
    throw new Error(
      'not a Nix binary-cache secret key (NAME:BASE64 of 64 bytes, as nix-store --generate-binary-cache-key writes)',
    );
  }
  const key: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicDer = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const publicKey = `${name}:${publicDer.subarray(publicDer.length - 32).toString('base64')}`;
  return {
    name,
    publicKey,
    sign: (fingerprint) => `${name}:${sign(null, Buffer.from(fingerprint), key).toString('base64')}`,
  };
}

/**
 * What a narinfo signature covers (Nix's ValidPathInfo::fingerprint): Nix recomputes it from
 * the narinfo it reads, so the hash must be in Nix's base-32 and the references full paths.
 */
export function pathFingerprint(path: string, narHash: string, narSize: number, references: readonly string[]): string {
  return `1;${path};${narHash};${narSize};${[...references].sort().join(',')}`;
}

const NIX_BASE32 = '0123456789abcdfghijklmnpqrsvwxyz';

/** A hash's bytes in Nix's own base-32 (its alphabet, least significant bits first). */
export function nixBase32(bytes: Uint8Array): string {
  const length = Math.floor((bytes.length * 8 - 1) / 5) + 1;
  let out = '';
  for (let n = length - 1; n >= 0; n--) {
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    const c = (bytes[i]! >> j) | (i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0);
    out += NIX_BASE32[c & 0x1f];
  }
  return out;
}

/** The key in `file`, or an error that names the file and says what is wrong with it. */
export function loadSecretKey(file: string): SigningKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`binary cache secret key ${file}: ${(err as Error).message}`);
  }
  try {
    return parseSecretKey(text);
  } catch (err) {
    throw new Error(`binary cache secret key ${file}: ${(err as Error).message}`);
  }
}
