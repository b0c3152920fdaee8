/**
 * Blake3 of exactly 32 bytes, for the VDF's hash chain (codecs/hashes.ts `vdf`: 10 001 hashes of a
 * 32-byte value per block, the hot path of validation and of the header rebuild in a sync).
 *
 * A 32-byte input is one chunk of one block, so its hash is a single compression: chaining value
 * IV, counter 0, block length 32, flags CHUNK_START | CHUNK_END | ROOT, the message words the input's
 * eight little-endian u32s followed by eight zeros; the hash is the first eight output words, little
 * endian (the BLAKE3 specification: compression function, chunk flags, root output). A general
 * Blake3 builds a hasher, buffers input and reads output through a reader for every call; doing just
 * this one compression is several times faster. Checked against @noble/hashes' `blake3` and the
 * golden VDF vectors.
 *
 * @packageDocumentation
 */

// Blake3's IV: the SHA-256 IV words, as signed 32-bit values like the state
const IV_0 = 0x6a09e667 | 0
const IV_1 = 0xbb67ae85 | 0
const IV_2 = 0x3c6ef372 | 0
const IV_3 = 0xa54ff53a | 0
const IV_4 = 0x510e527f | 0
const IV_5 = 0x9b05688c | 0
const IV_6 = 0x1f83d9ab | 0
const IV_7 = 0x5be0cd19 | 0

const CHUNK_START = 1
const CHUNK_END = 2
const ROOT = 8
/** Bytes hashed: half of one 64-byte block, the rest of which is zero. */
const INPUT_BYTES = 32
const ROUNDS = 7

/** Blake3's message permutation, applied between rounds. */
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8] as const

/** Message word indexes of each round: round r reads m[SCHEDULE[r][i]] (the permutation applied r times). */
const SCHEDULE: readonly Uint8Array[] = (() => {
  const rounds: Uint8Array[] = []
  let order = Uint8Array.from({ length: 16 }, (_, i) => i)
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(order)
    const prev = order
    order = Uint8Array.from(PERMUTATION, (p) => prev[p] as number)
  }
  return rounds
})()

const message = new Uint32Array(16) // words 8–15 stay zero: the block's unused half

/**
 * Writes `blake3(input)` into `out`; `input` and `out` may be the same array.
 *
 * @param input - exactly 32 bytes
 * @param out - 32 bytes to write the hash into
 * @throws RangeError if either is not 32 bytes long
 */
export function blake3Of32Into(input: Uint8Array, out: Uint8Array): void {
  if (input.length !== INPUT_BYTES || out.length !== INPUT_BYTES) throw new RangeError(`blake3Of32Into takes 32-byte arrays, got ${input.length} and ${out.length}`)
  for (let i = 0; i < 8; i++) {
    const o = 4 * i
    message[i] = ((input[o] as number) | ((input[o + 1] as number) << 8) | ((input[o + 2] as number) << 16) | ((input[o + 3] as number) << 24)) >>> 0
  }
  // The state as sixteen locals, which V8 keeps in registers (a state array or a closure for the
  // message words made the VDF 12–16 times slower): chaining value = IV, IV words 0–3, counter
  // (0, 0), block length, flags.
  let v0 = IV_0, v1 = IV_1, v2 = IV_2, v3 = IV_3, v4 = IV_4, v5 = IV_5, v6 = IV_6, v7 = IV_7
  let v8 = IV_0, v9 = IV_1, v10 = IV_2, v11 = IV_3
  let v12 = 0, v13 = 0, v14 = INPUT_BYTES, v15 = CHUNK_START | CHUNK_END | ROOT
  const m = message
  for (const s of SCHEDULE) {
    // G on the four columns, then on the four diagonals, each mixing two of the round's message words
    v0 = (v0 + v4 + (m[s[0] as number] as number)) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16)
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20)
    v0 = (v0 + v4 + (m[s[1] as number] as number)) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24)
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25)
    v1 = (v1 + v5 + (m[s[2] as number] as number)) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16)
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20)
    v1 = (v1 + v5 + (m[s[3] as number] as number)) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24)
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25)
    v2 = (v2 + v6 + (m[s[4] as number] as number)) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16)
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20)
    v2 = (v2 + v6 + (m[s[5] as number] as number)) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24)
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25)
    v3 = (v3 + v7 + (m[s[6] as number] as number)) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16)
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20)
    v3 = (v3 + v7 + (m[s[7] as number] as number)) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24)
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25)
    v0 = (v0 + v5 + (m[s[8] as number] as number)) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16)
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20)
    v0 = (v0 + v5 + (m[s[9] as number] as number)) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24)
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25)
    v1 = (v1 + v6 + (m[s[10] as number] as number)) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16)
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20)
    v1 = (v1 + v6 + (m[s[11] as number] as number)) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24)
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25)
    v2 = (v2 + v7 + (m[s[12] as number] as number)) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16)
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20)
    v2 = (v2 + v7 + (m[s[13] as number] as number)) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24)
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25)
    v3 = (v3 + v4 + (m[s[14] as number] as number)) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16)
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20)
    v3 = (v3 + v4 + (m[s[15] as number] as number)) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24)
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25)
  }
  // the hash: output words 0–7, each the state's word i XOR word i + 8, little endian
  writeWords(out, v0 ^ v8, v1 ^ v9, v2 ^ v10, v3 ^ v11, v4 ^ v12, v5 ^ v13, v6 ^ v14, v7 ^ v15)
}

function writeWords(out: Uint8Array, ...words: number[]): void {
  words.forEach((word, i) => {
    out[4 * i] = word & 0xff
    out[4 * i + 1] = (word >>> 8) & 0xff
    out[4 * i + 2] = (word >>> 16) & 0xff
    out[4 * i + 3] = (word >>> 24) & 0xff
  })
}
