import type { Response } from 'express';

/**
 * Writes with back-pressure: resolves 'sent' once the socket took the data (at once, or after
 * 'drain'), 'gone' when the client went away, 'dropped' when it stayed behind for `stallMs`
 * (its connection is closed then), so a client that never reads costs one chunk of memory, not the whole log.
 */
export function sendOrDrop(
  res: Response,
  data: string | Buffer,
  stallMs: number,
): Promise<'sent' | 'gone' | 'dropped'> {
  if (res.destroyed || res.writableEnded) return Promise.resolve('gone');
  if (res.write(data)) return Promise.resolve('sent');
  return new Promise((resolve) => {
    const done = (ok: 'sent' | 'gone' | 'dropped') => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done('sent');
    const onClose = () => done('gone');
    const timer = setTimeout(() => {
      done('dropped');
      res.destroy();
    }, stallMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
