// Enough of PNG and lcov to assert on what the VM tests publish.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';

export interface LineTotals {
  found: number;
  hit: number;
}

/** Line totals of an lcov .info text (sum of LF/LH records). */
export function lineTotals(info: string): LineTotals {
  let found = 0;
  let hit = 0;
  for (const line of info.split('\n')) {
    if (line.startsWith('LF:')) found += Number(line.slice(3));
    if (line.startsWith('LH:')) hit += Number(line.slice(3));
  }
  return { found, hit };
}

export interface DecodedPng {
  width: number;
  height: number;
  distinctPixels: number;
}

// Enough of PNG to tell a real picture from a blank one: IHDR for the size, then
// IDAT inflated and unfiltered row by row to count distinct pixel values.
export function decodePng(png: Buffer): DecodedPng {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', 'first chunk is IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png.readUInt8(24);
  const colourType = png.readUInt8(25);
  const channelsByColourType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
  const channels = channelsByColourType[colourType] ?? 0;
  assert.ok(channels > 0, `unknown PNG colour type ${colourType}`);
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT')
      idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bytesPerPixel = Math.max(1, (channels * bitDepth) / 8);
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const distinct = new Set<string>();
  let previous = Buffer.alloc(stride);
  for (let row = 0; row < height; row++) {
    const start = row * (stride + 1);
    const filter = raw.readUInt8(start);
    const line = Buffer.from(raw.subarray(start + 1, start + 1 + stride));
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? line.readUInt8(i - bytesPerPixel) : 0;
      const up = previous.readUInt8(i);
      const upLeft = i >= bytesPerPixel ? previous.readUInt8(i - bytesPerPixel) : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      assert.ok(predictor !== undefined, `unknown PNG filter ${filter}`);
      line.writeUInt8((line.readUInt8(i) + predictor) & 0xff, i);
    }
    for (let i = 0; i + bytesPerPixel <= stride; i += bytesPerPixel) {
      distinct.add(line.subarray(i, i + bytesPerPixel).toString('hex'));
    }
    previous = line;
  }
  return { width, height, distinctPixels: distinct.size };
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [dl, du, dul] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (dl <= du && dl <= dul) return left;
  return du <= dul ? up : upLeft;
}
