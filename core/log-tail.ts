import { open, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';

/**
 * Follows a build step's log while the queue runner appends to it (STATE_DIR/<logfile>,
 * plain text while the step is busy). `readFrom` returns the bytes after `offset` and the
 * new offset; a caller polls it. Only whole lines are returned, so a line is never split
 * between two events; the rest waits for its newline (or for the end of the step).
 */
export function stepLogPath(stateDir: string, relative: string | null): string | null {
  if (!relative) return null;
  const clean = normalize(relative);
  if (clean.startsWith('..') || clean.startsWith('/')) return null;
  return join(stateDir, clean);
}

export async function readFrom(path: string, offset: number, options: { wholeLinesOnly: boolean; maxBytes?: number }): Promise<{ text: string; offset: number }> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { text: '', offset };
  }
  if (size <= offset) return { text: '', offset };
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const length = Math.min(size - offset, maxBytes);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    let chunk = buffer.subarray(0, bytesRead);
    if (options.wholeLinesOnly) {
      const lastNewline = chunk.lastIndexOf(0x0a);
      // A line longer than the whole chunk is sent anyway rather than waited for forever.
      if (lastNewline < 0 && bytesRead < maxBytes) return { text: '', offset };
      if (lastNewline >= 0) chunk = chunk.subarray(0, lastNewline + 1);
    }
    return { text: chunk.toString('utf8'), offset: offset + chunk.length };
  } finally {
    await handle.close();
  }
}
