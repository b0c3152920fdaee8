/**
 * serde-derived structs: a struct is a JSON object (fields in any order, unknown fields skipped
 * whatever they hold, a duplicate or missing field an error) or, as serde's derived `visit_seq`
 * allows, a JSON array of its fields in declaration order with exactly that many elements.
 *
 * Error codes: `ERR_MISSING_FIELD`, `ERR_DUPLICATE_FIELD`, `ERR_INVALID_LENGTH` (array form),
 * `ERR_INVALID_TYPE` (neither object nor array).
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer'
import { SYNTAX } from './json-cursor.js'
import type { SerdeReader } from './serde-reader.js'

const QUOTE = 0x22
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

/** One reader per field of `T`, listed in the Rust declaration order. */
export type FieldReaders<T> = { readonly [K in keyof T]-?: (r: SerdeReader) => T[K] }

/** A serde-derived struct: its Rust name and its fields in declaration order. */
export interface StructSpec<T> {
  /** Rust type name, for `expected struct Transaction`. */
  readonly name: string
  /** Field names in declaration order. */
  readonly keys: readonly string[]
  /** The same names as UTF-8 bytes, compared against keys without decoding them. */
  readonly keyBytes: readonly Uint8Array[]
  /** Field readers, same order. */
  readonly readers: readonly ((r: SerdeReader) => unknown)[]
  /** Makes the value from the field values, in declaration order (the object keeps that order). */
  readonly build: (values: readonly unknown[]) => T
}

/** Declares a struct for {@link readStruct}; list `fields` in the Rust order. */
export function defineStruct<T extends object>(name: string, fields: FieldReaders<T>): StructSpec<T> {
  const keys = Object.keys(fields) as (keyof T & string)[]
  const build = (values: readonly unknown[]): T => {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]
    return out as T // every key of T was just set, from its own reader
  }
  return { name, keys, keyBytes: keys.map((k) => Buffer.from(k, 'utf8')), readers: keys.map((k) => fields[k]), build }
}

/** Reads a serde-derived struct, from an object or from an array of its fields. */
export function readStruct<T>(r: SerdeReader, spec: StructSpec<T>): T {
  const b = r.ws()
  if (b === OPEN_OBJECT) return structFromMap(r, spec)
  if (b === OPEN_ARRAY) return structFromSeq(r, spec)
  return r.invalidType(`struct ${spec.name}`)
}

function structFromMap<T>(r: SerdeReader, spec: StructSpec<T>): T {
  r.pos++
  const { keys, keyBytes, readers } = spec
  const values = new Array<unknown>(keys.length)
  let seen = 0 // bit i: field i was present
  for (let first = true; nextKey(r, first); first = false) {
    const i = keyBytes.findIndex((k) => r.tokenEquals(k))
    if (i < 0) {
      r.colon()
      r.skipValue()
      continue
    }
    if ((seen & (1 << i)) !== 0) r.fail('ERR_DUPLICATE_FIELD', `duplicate field \`${keys[i]}\``, r.pos)
    seen |= 1 << i
    r.colon()
    r.path.push(keys[i]!)
    values[i] = readers[i]!(r)
    r.path.pop()
  }
  r.pos++ // the `}`
  const missing = keys.findIndex((_, i) => (seen & (1 << i)) === 0)
  if (missing >= 0) r.fail('ERR_MISSING_FIELD', `missing field \`${keys[missing]}\``, r.pos)
  return spec.build(values)
}

function structFromSeq<T>(r: SerdeReader, spec: StructSpec<T>): T {
  r.pos++
  const { keys, readers, name } = spec
  const values = new Array<unknown>(keys.length)
  for (let i = 0; i < keys.length; i++) {
    if (!r.nextElement(i === 0)) {
      r.pos++ // the `]`
      r.fail('ERR_INVALID_LENGTH', `invalid length ${i}, expected struct ${name} with ${keys.length} elements`, r.pos)
    }
    r.path.push(keys[i]!)
    values[i] = readers[i]!(r)
    r.path.pop()
  }
  r.endSeq(`more than ${keys.length} elements for struct ${name}`)
  return spec.build(values)
}

/** serde's `next_key`: false at `}` (left unread), else reads the key string. */
function nextKey(r: SerdeReader, first: boolean): boolean {
  let b = r.ws()
  if (b === CLOSE_OBJECT) return false
  if (b === -1) r.syntax(SYNTAX.eofObject, r.peekPos())
  if (!first) {
    if (b !== COMMA) r.syntax(SYNTAX.objectCommaOrEnd, r.peekPos())
    r.pos++
    b = r.ws()
  }
  if (b !== QUOTE) {
    const text = b === CLOSE_OBJECT ? SYNTAX.trailingComma : b === -1 ? SYNTAX.eofValue : SYNTAX.keyString
    r.syntax(text, r.peekPos())
  }
  r.scanString(true)
  return true
}
