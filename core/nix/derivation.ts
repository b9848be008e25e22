import type { Derivation } from './nix.ts';

/**
 * Parses a .drv file's ATerm text:
 *   Derive([(out,path,hashAlgo,hash)...],[(drv,[outs])...],[srcs],system,builder,[args],[(k,v)...])
 * Read directly instead of `nix show-derivation`, which is experimental in Nix 2.8 and
 * costs a process per derivation.
 */
/** The escapes Nix writes in a .drv's strings; any other escaped character stands for itself. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

export function parseDerivation(text: string): Derivation {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(
      `malformed derivation: expected ${what} at offset ${pos}: ${JSON.stringify(text.slice(pos, pos + 30))}`,
    );
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(JSON.stringify(s));
    pos += s.length;
  };
  let nextBackslash = -1;
  const str = (): string => {
    expect('"');
    // Runs of plain characters are sliced at once: char-by-char concatenation made parsing
    // the largest part of taking a big queue in.
    let out = '';
    for (;;) {
      const quote = text.indexOf('"', pos);
      if (quote < 0) return fail('closing quote');
      // The next backslash is looked for again only once passed: no rescans to the end of the text.
      if (nextBackslash < pos) nextBackslash = text.indexOf('\\', pos) >>> 0;
      const backslash = nextBackslash;
      if (backslash > quote) {
        out += text.slice(pos, quote);
        pos = quote + 1;
        return out;
      }
      out += text.slice(pos, backslash);
      const e = text[backslash + 1];
      out += ESCAPES[e ?? ''] ?? e ?? '';
      pos = backslash + 2;
    }
  };
  const list = <T>(item: () => T): T[] => {
    expect('[');
    const items: T[] = [];
    while (text[pos] !== ']') {
      if (items.length) expect(',');
      items.push(item());
    }
    pos++;
    return items;
  };
  const tuple = <T>(body: () => T): T => {
    expect('(');
    const v = body();
    expect(')');
    return v;
  };

  expect('Derive(');
  const outputs = list(() =>
    tuple(() => {
      const name = str();
      expect(',');
      const path = str();
      expect(',');
      str();
      expect(',');
      str();
      return [name, { path }] as const;
    }),
  );
  expect(',');
  const inputDrvs = list(() =>
    tuple(() => {
      const drv = str();
      expect(',');
      const outs = list(str);
      return [drv, outs] as const;
    }),
  );
  expect(',');
  const inputSrcs = list(str);
  expect(',');
  const system = str();
  expect(',');
  const builder = str();
  expect(',');
  const args = list(str);
  expect(',');
  const env = list(() =>
    tuple(() => {
      const k = str();
      expect(',');
      const v = str();
      return [k, v] as const;
    }),
  );
  expect(')');
  return {
    outputs: Object.fromEntries(outputs),
    inputDrvs: Object.fromEntries(inputDrvs),
    inputSrcs,
    system,
    builder,
    args,
    env: Object.fromEntries(env),
  };
}
