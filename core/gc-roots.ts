import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import { lstat, opendir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

const STORE_PATH = /^\/nix\/store\/[0-9a-z]{32}-[^/]+$/;
/**
 * Set (to the millisecond) by each update of the roots before it reads what is wanted: an
 * evaluation whose roots were made before its builds were registered renews them only when
 * an update began meanwhile. Not a store path's name, so Nix's collector skips it.
 */
const UPDATE_MARK = '.update-began';
/** Leeway when comparing the mark's time with another process's clock reading. */
const MARK_SLACK_MS = 1000;
/** Roots prune() removes at once. */
const PRUNE_BATCH = 64;

/**
 * Garbage-collector roots for what hydrant still needs, as Hydra keeps them: one empty file
 * per store path, named after it, in a directory Nix scans for roots (by default
 * /nix/var/nix/gcroots/hydrant, as Hydra's /nix/var/nix/gcroots/hydra; Nix's collector takes
 * a regular file there named after a valid store path as a root, which is what Hydra's
 * registerRoot writes). Without them a `nix-collect-garbage` deletes queued builds' .drv
 * files and every build's outputs, and with them the products users download. A file, not a
 * symlink: on ext4 here a symlink took 0.2 ms to make and an empty file 0.04 ms, and an
 * evaluation roots thousands at once. Symlinks made by earlier versions are still pruned.
 */
export class GcRoots {
  private lastWarning = '';
  /** The directory was made: not asked again for every build that succeeds. */
  private made = false;
  /**
   * The last root this instance made as a new file, and when: later calls link to it while no
   * update of the roots has begun since (see add), so that a queue runner rooting one build's
   * outputs at a time makes a link per build, not a file.
   */
  private anchor: { root: string; at: number } | null = null;

  /**
   * `warn` hears, once per distinct problem, that roots cannot be written (a builder or an
   * evaluation never fails for it).
   */
  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /**
   * Roots these store paths; a path already rooted is left as it is. Roots are hard links to
   * one empty file: a link is a directory entry, where a new file is an inode too. Beside Nix
   * writing a first evaluation's .drv files (ext4's journal busy), 20,000 new files took 4.2 s
   * here and 20,000 links 0.23 s; a queue runner's root per finished build, 0.1-0.4 ms as a
   * file beside Nix's writes, 0.03 ms as a link. Linked roots share that file's time, which
   * prune() and renew() go by: a root must never look older than the last update's start, or
   * an update that read the database before it was made could prune it. So a call links to
   * the file an earlier call made only while no update has begun since (the mark's time);
   * else its first root is a new file.
   */
  add(paths: Iterable<string>): number {
    let added = 0;
    let first = this.anchor && !this.updatedSince(this.anchor.at) ? this.anchor.root : null;
    try {
      for (const path of paths) {
        if (!STORE_PATH.test(path)) continue;
        const root = join(this.dir, basename(path));
        const linked = first === null ? 'full' : this.linkTo(first, root);
        if (linked === 'made') added++;
        else if (linked === 'full') {
          const at = Date.now();
          if (!this.create(root)) continue;
          first = root;
          this.anchor = { root, at };
          added++;
        }
      }
    } catch (e) {
      const message =
        `cannot write garbage-collector roots to ${this.dir} (${(e as Error).message}); ` +
        `nix-collect-garbage may delete queued derivations and build outputs`;
      if (message !== this.lastWarning) this.warn(message);
      this.lastWarning = message;
    }
    return added;
  }

  /** Notes that an update of the roots begins; call it before reading what is wanted. */
  markUpdate(): void {
    const now = new Date();
    try {
      this.ensureDir();
      closeSync(openSync(join(this.dir, UPDATE_MARK), 'a'));
      utimesSync(join(this.dir, UPDATE_MARK), now, now);
    } catch {
      // Without the mark every evaluation renews its early roots, as before it existed.
    }
  }

  /**
   * Whether an update of the roots may have begun at or after `since` (ms): roots made since
   * then and registered only later may have been pruned, so they need renew(). True when it
   * cannot be told.
   */
  updatedSince(since: number): boolean {
    try {
      return lstatSync(join(this.dir, UPDATE_MARK)).mtimeMs >= since - MARK_SLACK_MS;
    } catch {
      return true;
    }
  }

  /**
   * Roots these store paths again, as if new: a root made before their builds were registered
   * (while Nix was still writing them) gets the time of now, so that an update that read the
   * database before the registration (prune's `since`) leaves it; one it removed meanwhile is
   * made again. Touching a root costs a fraction of making one.
   */
  renew(paths: Iterable<string>): void {
    const now = new Date();
    const gone: string[] = [];
    for (const path of paths) {
      if (!STORE_PATH.test(path)) continue;
      try {
        utimesSync(join(this.dir, basename(path)), now, now);
      } catch {
        gone.push(path);
      }
    }
    this.add(gone);
  }

  /**
   * Makes the directory if need be, with an update mark saying no update has begun yet (the
   * epoch). Made aside and linked into place, so it never replaces the mark of an update that
   * began meanwhile.
   */
  private ensureDir(): void {
    if (this.made) return;
    mkdirSync(this.dir, { recursive: true });
    const mark = join(this.dir, UPDATE_MARK);
    if (!existsSync(mark)) {
      const aside = `${mark}.${process.pid}`;
      try {
        closeSync(openSync(aside, 'w'));
        utimesSync(aside, 0, 0);
        linkSync(aside, mark);
      } catch {
        // there already, or not possible: updatedSince then answers true
      } finally {
        rmSync(aside, { force: true });
      }
    }
    this.made = true;
  }

  /** Makes a root as a new empty file; false when it was there already. */
  private create(root: string): boolean {
    for (let again = false; ; again = true) {
      this.ensureDir();
      try {
        closeSync(openSync(root, 'wx'));
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code !== 'ENOENT' || again) throw e;
        this.made = false; // the directory was removed meanwhile: made again, once
      }
    }
  }

  /**
   * Makes a root as a link to `first`: 'made', 'there' when it was there already, or 'full'
   * when `first` has as many links as the file system allows (65,000 on ext4: an evaluation
   * of 100,000 jobs roots more) or is gone, so the caller starts a new file.
   */
  private linkTo(first: string, root: string): 'made' | 'there' | 'full' {
    try {
      linkSync(first, root);
      return 'made';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'there';
      if (code === 'EMLINK') return 'full';
      // `first` or the directory went meanwhile (an update pruned it): a new file to link to.
      if (code === 'ENOENT') return 'full';
      throw e;
    }
  }

  /**
   * Removes the roots of paths no longer wanted. Only roots made before `since` (ms) go:
   * a root another role added while `wanted` was being read from the database may belong
   * to a build that set did not see yet. The file system's calls go through the thread pool,
   * a batch at a time: the queue runner removes the roots of every build finished since the
   * last update (tens of thousands at a few hundred builds a minute; 9,689 took 386 ms on its
   * thread beside Nix's writes) and goes on dispatching meanwhile.
   */
  async prune(wanted: ReadonlySet<string>, since: number): Promise<number> {
    return this.remove(unwanted(await this.names(), wanted), since);
  }

  /**
   * Removes these roots (names in the directory, as names() gives them) if made before `since`
   * (ms), as prune() does. A name that is no file's in the directory (a path, `..`) or is the
   * update mark is skipped: a store path's name never starts with a dot.
   */
  async remove(names: readonly string[], since: number): Promise<number> {
    const doomed = names.filter((name) => !name.startsWith('.') && !name.includes('/'));
    let removed = 0;
    for (let i = 0; i < doomed.length; i += PRUNE_BATCH) {
      const done = await Promise.all(
        doomed.slice(i, i + PRUNE_BATCH).map(async (name) => {
          const link = join(this.dir, name);
          try {
            if (!madeBefore(await lstat(link), since)) return 0;
            await unlink(link);
            return 1;
          } catch {
            return 0; // gone meanwhile
          }
        }),
      );
      for (const n of done) removed += n;
    }
    return removed;
  }

  /**
   * The names in the directory (roots and the update mark), read through the thread pool a
   * thousand at a time: 100,000 roots took 108 ms to list on the caller's thread, and even
   * `readdir` through the pool turns its answer into strings on the caller's thread in one go
   * (300,000 names: a 100-150 ms pause, 5-13 ms a batch this way).
   */
  async names(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of await opendir(this.dir, { bufferSize: 1024 })) names.push(entry.name);
      return names;
    } catch {
      return [];
    }
  }

  /** The store paths rooted here now. */
  list(): string[] {
    try {
      return readdirSync(this.dir)
        .map((name) => `/nix/store/${name}`)
        .filter((p) => STORE_PATH.test(p));
    } catch {
      return [];
    }
  }
}

/** Names in the roots directory that root no path in `wanted` (remove() skips the update mark). */
function unwanted(names: readonly string[], wanted: ReadonlySet<string>): string[] {
  return names.filter((name) => !wanted.has(`/nix/store/${name}`));
}

/** A root (a file, or a symlink of an earlier version) made before `since` (ms). */
function madeBefore(st: Stats, since: number): boolean {
  return (st.isFile() || st.isSymbolicLink()) && st.mtimeMs < since;
}
