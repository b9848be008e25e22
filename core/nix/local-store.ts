import Database from 'better-sqlite3';
import { nixBase32 } from './signing.ts';

export interface StorePathInfo {
  path: string;
  /** `sha256:` and Nix's base-32, as narinfo files and signatures write it. */
  narHash: string;
  narSize: number;
  references: string[];
  deriver: string | null;
}

/**
 * Read-only questions about the local Nix store that its command-line tools of Nix 2.8
 * cannot answer (there is no `nix store path-from-hash-part` before Nix 2.17), or only at a
 * process per question: the binary cache asks them on every request.
 *
 * Guarantees: it opens Nix's own database (`/nix/var/nix/db/db.sqlite`) read-only and
 * never writes it; it runs the queries Nix itself runs (queryPathFromHashPart is a range
 * scan on ValidPaths.path; references come from Refs), on the schema Nix has kept since
 * 1.x; a referrer walk stops at `limit` paths, so no request reads the whole store.
 */
export interface LocalStore {
  /** The valid store path whose hash part is `hashPart` (32 base-32 characters), or null. */
  pathFromHashPart(hashPart: string): string | null;
  info(path: string): StorePathInfo | null;
  /** Whether `path` is a valid (registered) store path. */
  isValid(path: string): boolean;
  /** NAR size and references of a valid path, without its hash (null when not valid). */
  sizeAndReferences(path: string): { narSize: number; references: string[] } | null;
  /** `path` and every valid path that refers to it directly or indirectly, up to `limit` paths. */
  referrersClosure(path: string, limit: number): string[];
  close(): void;
}

export const NIX_STORE_DIR = '/nix/store';
export const NIX_DB = '/nix/var/nix/db/db.sqlite';

export function openLocalStore(dbPath = NIX_DB): LocalStore {
  let db: Database.Database | null = null;
  // Opened on first use: a server without a store (or before Nix made one) still starts.
  const conn = () => (db ??= new Database(dbPath, { readonly: true, fileMustExist: true }));
  const q = <T>(sql: string) => {
    let s: Database.Statement | null = null;
    return () => (s ??= conn().prepare(sql)) as Database.Statement<unknown[], T>;
  };
  const byPrefix = q<string>('SELECT path FROM ValidPaths WHERE path >= ? ORDER BY path LIMIT 1');
  const row = q<{ id: number; hash: string; narSize: number; deriver: string | null }>(
    'SELECT id, hash, narSize, deriver FROM ValidPaths WHERE path = ?',
  );
  const sized = q<{ id: number; narSize: number }>('SELECT id, narSize FROM ValidPaths WHERE path = ?');
  const refs = q<string>('SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ?');
  const referrers = q<string>(`WITH RECURSIVE up(id) AS (SELECT id FROM ValidPaths WHERE path = ?
    UNION SELECT r.referrer FROM Refs r JOIN up ON r.reference = up.id LIMIT ?)
    SELECT v.path FROM up JOIN ValidPaths v ON v.id = up.id`);
  return {
    pathFromHashPart(hashPart) {
      if (!/^[0-9a-df-np-sv-z]{32}$/.test(hashPart)) return null;
      const prefix = `${NIX_STORE_DIR}/${hashPart}-`;
      const found = byPrefix().pluck().get(prefix) as string | undefined;
      return found?.startsWith(prefix) ? found : null;
    },
    info(path) {
      const r = row().get(path) as { id: number; hash: string; narSize: number; deriver: string | null } | undefined;
      if (!r) return null;
      return {
        path,
        narHash: toBase32Hash(r.hash),
        narSize: r.narSize,
        references: refs().pluck().all(r.id) as string[],
        deriver: r.deriver,
      };
    },
    isValid(path) {
      return sized().get(path) !== undefined;
    },
    sizeAndReferences(path) {
      const r = sized().get(path) as { id: number; narSize: number } | undefined;
      return r ? { narSize: r.narSize, references: refs().pluck().all(r.id) as string[] } : null;
    },
    referrersClosure(path, limit) {
      return referrers().pluck().all(path, limit) as string[];
    },
    close() {
      db?.close();
      db = null;
    },
  };
}

/** Nix's database keeps `sha256:BASE16`; narinfo files and fingerprints use base-32. */
function toBase32Hash(hash: string): string {
  const [algo, digest] = hash.split(':') as [string, string];
  return /^[0-9a-f]+$/.test(digest) ? `${algo}:${nixBase32(Buffer.from(digest, 'hex'))}` : hash;
}
