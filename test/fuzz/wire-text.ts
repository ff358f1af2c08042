/**
 * Putting drawn values on the wire: as text (query, path, headers), percent-encoded as a browser
 * would (lone surrogates as their WTF-8 bytes, which no decoder accepts), and junk that only a
 * hostile client would send.
 */
import { RawJson, toJsonText } from './raw-json.ts'

/** A value as the text a client would put in a query, a path segment or a header. */
export function textOf (value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof RawJson) return value.text
  if (typeof value === 'object' && value !== null) return toJsonText(value)
  return String(value)
}

const hexByte = (byte: number) => '%' + byte.toString(16).toUpperCase().padStart(2, '0')

/** encodeURIComponent, except that a lone surrogate becomes its three WTF-8 bytes instead of throwing. */
export function percentEncode (text: string): string {
  let out = ''
  for (const char of text) {
    const unit = char.charCodeAt(0)
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map(hexByte).join('')
    } else {
      out += encodeURIComponent(char)
    }
  }
  return out
}

/** Raw (not encoded) path and query text: broken escapes, overlong UTF-8, encoded separators and dots. */
export const PERCENT_JUNK = ['%', '%Z', '%ZZ', '%%', '%00', '%2F', '%2f..%2f', '%2e%2e', '..', '.', '%C0%AF', '%C0%80', '%ED%A0%80', '%E2%80%AE',
  '%EF%BB%BF', '%F0%9F%98%80', '%F4%90%80%80', '%FF%FE', 'a%', 'a%2', '%u0041', '%25', '%2525', ';x=1', 'a;b', '%3F', '%23', '%0A', '%0D%0A', '~', "'"] as const

/** Header values that survive HTTP framing (visible ASCII, spaces, Latin-1) but no careful parser. */
export const HEADER_JUNK = ['', ' ', '"', '""', '" "', 'a, b', 'a,b', '\t', 'é', '\u00ff\u00fe', 'null', 'undefined', '__proto__', '*', '=', ';', '%00', '%ZZ'] as const

/** Visible ASCII and inner spaces only: what a header value can carry without a client refusing it. */
export const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/g, '-').trim()
