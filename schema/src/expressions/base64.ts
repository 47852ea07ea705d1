import { ExpressionError } from './error.js';

// `$base64encode` / `$base64decode` without Node's Buffer or the browser's btoa, neither of
// which exists in Temporal's workflow sandbox (JSONata's own versions fail there). Text is
// UTF-8, so any string round-trips; for ASCII the result is what JSONata documents.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((char, i) => [char, i]));

export function base64Encode(text: unknown): string | undefined {
  if (text === undefined) return undefined;
  const bytes = utf8Encode(String(text));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += ALPHABET[a >> 2]! + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : ALPHABET[c & 63]!;
  }
  return out;
}

export function base64Decode(encoded: unknown): string | undefined {
  if (encoded === undefined) return undefined;
  const text = String(encoded)
    .replace(/[\s=]+$/g, '')
    .replace(/\s+/g, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = INDEX.get(char === '-' ? '+' : char === '_' ? '/' : char);
    if (value === undefined) throw new ExpressionError(`$base64decode: "${char}" is not a base 64 character`, 'D9008');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return utf8Decode(bytes);
}

function utf8Encode(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return bytes;
}

/** Decodes UTF-8; a byte that is not part of a valid sequence stands for itself (Latin-1), so binary data survives as characters. */
function utf8Decode(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const a = bytes[i]!;
    const length = a >= 0xf0 && a < 0xf8 ? 4 : a >= 0xe0 ? 3 : a >= 0xc0 ? 2 : 1;
    const continuation = bytes.slice(i + 1, i + length);
    if (length === 1 || continuation.length < length - 1 || continuation.some((b) => (b & 0xc0) !== 0x80)) {
      out += String.fromCharCode(a);
      i++;
      continue;
    }
    let code = a & (0xff >> (length + 1));
    for (const b of continuation) code = (code << 6) | (b & 63);
    out += String.fromCodePoint(code);
    i += length;
  }
  return out;
}
