import { openSync, writeSync, closeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// Every line carries the seconds since the driver started, so a slow boot or a
// long wait is visible in the build log without rerunning the test.
export function createLog(logFile) {
  const startedAt = performance.now();
  const fd = logFile ? openSync(logFile, 'a') : null;

  const elapsedSeconds = () => (performance.now() - startedAt) / 1000;

  function write(source, message) {
    const stamp = elapsedSeconds().toFixed(3).padStart(8);
    for (const line of String(message).split('\n')) {
      const text = `[${stamp}s] ${source}: ${line}\n`;
      process.stderr.write(text);
      if (fd !== null) writeSync(fd, text);
    }
  }

  // A step is one driver action: logged when it starts and when it ends, with its
  // duration, so the log reads as the test's timeline.
  async function step(source, description, action) {
    write(source, description);
    const began = performance.now();
    try {
      const result = await action();
      write(source, `${description} (done, ${((performance.now() - began) / 1000).toFixed(2)} s)`);
      return result;
    } catch (error) {
      write(source, `${description} (FAILED after ${((performance.now() - began) / 1000).toFixed(2)} s)`);
      throw error;
    }
  }

  return {
    info: (message) => write('driver', message),
    from: (source, message) => write(source, message),
    step,
    elapsedSeconds,
    close: () => fd !== null && closeSync(fd),
  };
}
