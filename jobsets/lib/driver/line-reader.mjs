// Splits a byte stream into lines and hands each to a callback; serial ports and
// QMP both speak in lines.
export function onLines(stream, callback) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      callback(line);
    }
  });
}
