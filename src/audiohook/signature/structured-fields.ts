import { AudiohookError } from '../errors.js';

/*
 * A focused RFC 8941 (Structured Field Values) implementation: what RFC 9421 needs for
 * `Signature-Input` and `Signature` — dictionaries whose members are items or inner lists, with
 * parameters; bare items of every kind (integer, decimal, string, token, byte sequence, boolean).
 * Parsed values keep their kind (token vs string, decimal vs integer) so re-serialising a parsed
 * value reproduces the canonical form the signature base needs.
 */

export class SfToken {
  constructor(readonly value: string) {}
}

export class SfDecimal {
  constructor(readonly value: number) {}
}

/** integer → number; decimal → SfDecimal; string → string; token → SfToken; byte sequence → Uint8Array. */
export type BareItem = number | SfDecimal | string | SfToken | Uint8Array | boolean;
export type SfParameters = Map<string, BareItem>;

export interface SfItem {
  value: BareItem;
  params: SfParameters;
}

export interface SfInnerList {
  items: SfItem[];
  params: SfParameters;
}

export type SfDictionary = Map<string, SfItem | SfInnerList>;

export function isInnerList(member: SfItem | SfInnerList): member is SfInnerList {
  return 'items' in member;
}

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_START = /[A-Za-z*]/;
// tchar (RFC 9110) plus ":" and "/".
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_INTEGER = 999_999_999_999_999;

function sfError(message: string): AudiohookError {
  return new AudiohookError('audiohook.bad_structured_field', message);
}

class Parser {
  private pos = 0;

  constructor(private readonly input: string) {}

  parseDictionary(): SfDictionary {
    const dict: SfDictionary = new Map();
    this.skipSP();
    while (!this.done()) {
      const key = this.parseKey();
      let member: SfItem | SfInnerList;
      if (this.peek() === '=') {
        this.pos++;
        member = this.parseItemOrInnerList();
      } else {
        // A bare key is the boolean true, with optional parameters.
        member = { value: true, params: this.parseParameters() };
      }
      // Duplicate keys: the last value wins, the first position stays (RFC 8941 §4.2.2).
      dict.set(key, member);
      this.skipOWS();
      if (this.done()) return dict;
      if (this.input[this.pos] !== ',') throw sfError(`expected "," at offset ${this.pos}`);
      this.pos++;
      this.skipOWS();
      if (this.done()) throw sfError('trailing "," in dictionary');
    }
    return dict;
  }

  finish(): void {
    this.skipSP();
    if (!this.done()) throw sfError(`unexpected characters at offset ${this.pos}`);
  }

  private parseItemOrInnerList(): SfItem | SfInnerList {
    return this.peek() === '(' ? this.parseInnerList() : this.parseItem();
  }

  private parseInnerList(): SfInnerList {
    this.pos++; // "("
    const items: SfItem[] = [];
    while (!this.done()) {
      this.skipSP();
      if (this.peek() === ')') {
        this.pos++;
        return { items, params: this.parseParameters() };
      }
      items.push(this.parseItem());
      const next = this.peek();
      if (next !== ' ' && next !== ')')
        throw sfError(`expected " " or ")" in inner list at offset ${this.pos}`);
    }
    throw sfError('unterminated inner list');
  }

  private parseItem(): SfItem {
    const value = this.parseBareItem();
    return { value, params: this.parseParameters() };
  }

  private parseParameters(): SfParameters {
    const params: SfParameters = new Map();
    while (this.peek() === ';') {
      this.pos++;
      this.skipSP();
      const key = this.parseKey();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.pos++;
        value = this.parseBareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  private parseKey(): string {
    const first = this.peek();
    if (first === undefined || !KEY_START.test(first)) throw sfError(`expected a key at offset ${this.pos}`);
    const start = this.pos;
    while (!this.done() && KEY_CHAR.test(this.input[this.pos]!)) this.pos++;
    return this.input.slice(start, this.pos);
  }

  private parseBareItem(): BareItem {
    const c = this.peek();
    if (c === undefined) throw sfError('expected an item, found the end');
    if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
    if (c === '"') return this.parseString();
    if (c === ':') return this.parseByteSequence();
    if (c === '?') return this.parseBoolean();
    if (TOKEN_START.test(c)) return this.parseToken();
    throw sfError(`unexpected character ${JSON.stringify(c)} at offset ${this.pos}`);
  }

  private parseNumber(): number | SfDecimal {
    const match = /^(-?)(\d+)(?:\.(\d+))?/.exec(this.input.slice(this.pos));
    if (!match) throw sfError(`malformed number at offset ${this.pos}`);
    const [text, , intPart = '', fraction] = match;
    if (fraction === undefined) {
      if (intPart.length > 15) throw sfError('integer has more than 15 digits');
    } else if (intPart.length > 12 || fraction.length > 3) {
      throw sfError('decimal has more than 12 integer or 3 fraction digits');
    }
    this.pos += text.length;
    const n = Number(text);
    return fraction === undefined ? n : new SfDecimal(n);
  }

  private parseString(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done()) {
      const c = this.input[this.pos++]!;
      if (c === '\\') {
        const next = this.input[this.pos++];
        if (next !== '"' && next !== '\\') throw sfError('invalid escape in string');
        out += next;
      } else if (c === '"') {
        return out;
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) throw sfError('string contains a non-printable character');
        out += c;
      }
    }
    throw sfError('unterminated string');
  }

  private parseToken(): SfToken {
    const start = this.pos;
    this.pos++;
    while (!this.done() && TOKEN_CHAR.test(this.input[this.pos]!)) this.pos++;
    return new SfToken(this.input.slice(start, this.pos));
  }

  private parseByteSequence(): Uint8Array {
    this.pos++; // opening ":"
    const end = this.input.indexOf(':', this.pos);
    if (end < 0) throw sfError('unterminated byte sequence');
    const b64 = this.input.slice(this.pos, end);
    if (!BASE64_CHARS.test(b64)) throw sfError('byte sequence is not base64');
    this.pos = end + 1;
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }

  private parseBoolean(): boolean {
    const c = this.input[this.pos + 1];
    if (c !== '0' && c !== '1') throw sfError(`malformed boolean at offset ${this.pos}`);
    this.pos += 2;
    return c === '1';
  }

  private peek(): string | undefined {
    return this.input[this.pos];
  }

  private done(): boolean {
    return this.pos >= this.input.length;
  }

  private skipSP(): void {
    while (this.input[this.pos] === ' ') this.pos++;
  }

  private skipOWS(): void {
    while (this.input[this.pos] === ' ' || this.input[this.pos] === '\t') this.pos++;
  }
}

/**
 * Parses a dictionary field. Several field lines (an array) are joined with ", " first, as HTTP
 * combines repeated fields. Throws `audiohook.bad_structured_field`.
 */
export function parseDictionary(field: string | readonly string[]): SfDictionary {
  const text = typeof field === 'string' ? field : field.join(', ');
  const parser = new Parser(text);
  const dict = parser.parseDictionary();
  parser.finish();
  return dict;
}

// ---- serialisation ---------------------------------------------------------------------------------

export function serializeBareItem(value: BareItem): string {
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER)
      throw sfError(`not an sf-integer: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    if (!/^[\x20-\x7e]*$/.test(value)) throw sfError('sf-string must be printable ASCII');
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  if (value instanceof SfToken) {
    if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(value.value)) throw sfError('malformed sf-token');
    return value.value;
  }
  if (value instanceof SfDecimal) {
    const rounded = Math.round(value.value * 1000) / 1000;
    if (Math.abs(Math.trunc(rounded)) >= 1e12) throw sfError(`sf-decimal out of range: ${value.value}`);
    const text = rounded.toFixed(3).replace(/0{1,2}$/, '');
    return text;
  }
  return `:${Buffer.from(value).toString('base64')}:`;
}

function serializeKey(key: string): string {
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key)) throw sfError(`malformed key: ${JSON.stringify(key)}`);
  return key;
}

export function serializeParameters(params: SfParameters): string {
  let out = '';
  for (const [key, value] of params) {
    out += `;${serializeKey(key)}`;
    if (value !== true) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

export function serializeItem(item: SfItem): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

export function serializeInnerList(list: SfInnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}

export function serializeDictionary(dict: SfDictionary): string {
  return [...dict]
    .map(([key, member]) => {
      if (isInnerList(member)) return `${serializeKey(key)}=${serializeInnerList(member)}`;
      if (member.value === true) return serializeKey(key) + serializeParameters(member.params);
      return `${serializeKey(key)}=${serializeItem(member)}`;
    })
    .join(', ');
}
