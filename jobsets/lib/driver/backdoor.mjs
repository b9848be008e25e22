import { createServer } from 'node:net';
import { onLines } from './line-reader.mjs';

// The host end of the guest's root shell on its second serial port (guest side:
// guest/backdoor.sh). The driver listens and QEMU connects, so the socket exists
// before the VM does and no port on the host is involved.
export class Backdoor {
  #server;
  #socket = null;
  #ready;
  #waiting = null;
  #queue = Promise.resolve();
  #brokenReason = null;

  constructor(socketPath) {
    if (Buffer.byteLength(socketPath) > 107) throw new Error(`socket path too long for a unix socket: ${socketPath}`);
    this.#server = createServer();
    this.#ready = new Promise((resolve) => {
      this.#server.once('connection', (socket) => {
        this.#socket = socket;
        // A crashed VM resets the connection; the 'close' handler reports it.
        socket.on('error', () => {});
        onLines(socket, (line) => this.#onLine(line, resolve));
        socket.on('close', () => this.break('serial connection closed'));
      });
    });
    this.listening = new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(socketPath, resolve);
    });
  }

  #onLine(line, markReady) {
    if (line.startsWith('hydrant-ready')) {
      markReady();
      return;
    }
    const match = /^hydrant-result (\d+) ?(.*)$/.exec(line);
    if (!match || !this.#waiting) return;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting.resolve({ status: Number(match[1]), output: Buffer.from(match[2], 'base64') });
  }

  // After a crash or a timed-out command the line is out of step; every later
  // command must fail loudly instead of reading someone else's answer.
  break(reason) {
    if (this.#brokenReason) return;
    this.#brokenReason = reason;
    this.#waiting?.reject(new Error(reason));
    this.#waiting = null;
  }

  async waitReady(timeoutMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no shell after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([this.#ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  run(command, timeoutMs) {
    const result = this.#queue.then(() => this.#runNow(command, timeoutMs));
    this.#queue = result.catch(() => {});
    return result;
  }

  #runNow(command, timeoutMs) {
    if (this.#brokenReason) return Promise.reject(new Error(this.#brokenReason));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.break(`command timed out after ${timeoutMs / 1000} s: ${command}`);
      }, timeoutMs);
      this.#waiting = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#socket.write(Buffer.from(command).toString('base64') + '\n');
    });
  }

  // For commands that never answer, such as powering off.
  send(command) {
    this.#socket?.write(Buffer.from(command).toString('base64') + '\n');
  }

  close() {
    this.#socket?.destroy();
    this.#server.close();
  }
}
