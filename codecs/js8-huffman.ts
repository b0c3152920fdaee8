/**
 * Facts about JS8Call's free-text Huffman code and how JS8Call packs it into frames, as data.
 *
 * Source: JS8Call 2.2 `varicode.cpp`, the map `hufftable` (char → code; its comment column holds the
 * letter weights the code was built from) and `packHuffMessage` / `packDataMessage` /
 * `packFastDataMessage` (js8call/js8call, read 2026-11; all 44 code strings are also in the Debian
 * `js8call 2.2.0+ds-5` binary). Only the facts are taken here (characters, codes, frame sizes); no
 * JS8Call code is.
 *
 * The 44 codes form a complete prefix code (Kraft sum exactly 1), so every bit string is a sequence
 * of whole codewords plus at most one unfinished one. That is what lets `js8-text.ts` spend about
 * one on-air bit per data bit.
 *
 * How JS8Call 2.2 chooses between this code and its dictionary coder "JSC" (facts, same file):
 * - Normal speed (JS8A) data frame: 72 payload bits = `1` (data) + `0` (Huffman) or `1` (JSC) + data
 *   + padding (`0` then `1`s). Both coders are tried per frame, and the Huffman frame is sent only if
 *   it holds strictly more characters than the JSC frame. Huffman is tried only when every
 *   character of the remaining text is in this table.
 * - Fast, Turbo and Slow speeds (JS8B/C/E) use JSC only (`JS8_FAST_DATA_CAN_USE_HUFF 0`); this table
 *   does not apply there.
 * - A character is added to a frame only while `bits + code length < 72`, so a frame always ends
 *   with at least one pad bit, and a character never straddles two frames.
 *
 * @packageDocumentation
 */

/**
 * JS8Call's free-text Huffman table: `[character, code]`, in the source's order (most frequent
 * first). Codes are bit strings, first transmitted bit first. 2 to 8 bits; space = 2, `E` = 3.
 */
export const JS8_HUFFMAN_TABLE: ReadonlyArray<readonly [char: string, code: string]> = [
  [' ', '01'],
  ['E', '100'],
  ['T', '1101'],
  ['A', '0011'],
  ['O', '11111'],
  ['I', '11100'],
  ['N', '10111'],
  ['S', '10100'],
  ['H', '00011'],
  ['R', '00000'],
  ['D', '111011'],
  ['L', '110011'],
  ['C', '110001'],
  ['U', '101101'],
  ['M', '101011'],
  ['W', '001011'],
  ['F', '001001'],
  ['G', '000101'],
  ['Y', '000011'],
  ['P', '1111011'],
  ['B', '1111001'],
  ['.', '1110100'],
  ['V', '1100101'],
  ['K', '1100100'],
  ['-', '1100001'],
  ['+', '1100000'],
  ['?', '1011001'],
  ['!', '1011000'],
  ['"', '1010101'],
  ['X', '1010100'],
  ['0', '0010101'],
  ['J', '0010100'],
  ['1', '0010001'],
  ['Q', '0010000'],
  ['2', '0001001'],
  ['Z', '0001000'],
  ['3', '0000101'],
  ['5', '0000100'],
  ['4', '11110101'],
  ['9', '11110100'],
  ['8', '11110001'],
  ['6', '11110000'],
  ['7', '11101011'],
  ['/', '11101010'],
]

/** Payload bits in one JS8 frame (75 message bits minus the 3-bit frame type). */
export const JS8_FRAME_PAYLOAD_BITS = 72 // bits

/** Header bits of a Normal-speed data frame inside the 72: `1` (data) and `0` (Huffman) / `1` (JSC). */
export const JS8_DATA_FRAME_HEADER_BITS = 2 // bits

/** The Huffman code of each character, by character. */
export const JS8_HUFFMAN_CODES: ReadonlyMap<string, string> = new Map(JS8_HUFFMAN_TABLE)

/** Text as JS8Call packs it: outgoing text is upper case, so `a`–`z` count as `A`–`Z`. */
export function js8UpperCase(text: string): string {
  return text.replace(/[a-z]/g, (c) => c.toUpperCase())
}

/**
 * How many Normal-speed Huffman data frames JS8Call needs for `text`, filling frames the way
 * `packHuffMessage` does (2 header bits, then whole characters while the total stays below 72).
 * Counts data frames only: the directed frame that starts a message (`CALL MSG`) is not included.
 * Returns `Infinity` when a character is outside the table (JS8Call would then use JSC).
 */
export function js8HuffmanFrames(text: string): number {
  let frames = 0
  let used = JS8_FRAME_PAYLOAD_BITS // bits in the current frame; "full" so the first char opens one
  for (const ch of js8UpperCase(text)) {
    const bits = JS8_HUFFMAN_CODES.get(ch)?.length
    if (bits === undefined) return Number.POSITIVE_INFINITY
    if (used + bits >= JS8_FRAME_PAYLOAD_BITS) {
      frames += 1
      used = JS8_DATA_FRAME_HEADER_BITS
    }
    used += bits
  }
  return frames
}
