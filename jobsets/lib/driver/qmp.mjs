import { connect } from 'node:net';
import { onLines } from './line-reader.mjs';

// QEMU's machine protocol: screendump and link up/down come from here rather than
// from inside the guest, so they work even when the guest is wedged.
export class Qmp {
  #socket;
  #pending = [];

  static async open(socketPath, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const qmp = new Qmp(await connectOnce(socketPath));
        await qmp.#greeting;
        await qmp.execute('qmp_capabilities');
        return qmp;
      } catch (error) {
        // QEMU creates the socket a little after it starts.
        if (Date.now() > deadline) throw new Error(`QMP at ${socketPath}: ${error.message}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  #greeting;

  constructor(socket) {
    this.#socket = socket;
    this.#greeting = new Promise((resolve) => this.#pending.push({ greeting: true, resolve }));
    onLines(socket, (line) => this.#onMessage(JSON.parse(line)));
    socket.on('close', () => {
      for (const waiter of this.#pending.splice(0)) waiter.reject?.(new Error('QMP connection closed'));
    });
  }

  #onMessage(message) {
    if (message.event) return;
    const waiter = this.#pending.shift();
    if (!waiter) return;
    if (message.error) waiter.reject(new Error(`${message.error.class}: ${message.error.desc}`));
    else waiter.resolve(message.return ?? message.QMP);
  }

  execute(command, args) {
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  close() {
    this.#socket.destroy();
  }
}

function connectOnce(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      // A killed VM resets the connection; the 'close' handler reports it.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
