/**
 * Facts about JS8Call's directed messages that the simulator needs: the commands it recognises
 * after a callsign, which commands carry a checksum, the pre-encoded groups, which callsigns fit a
 * standard frame, and the 16-bit checksum.
 *
 * Source: JS8Call 2.2 `varicode.cpp` (`directed_cmds`, `checksum_cmds`, `buffered_cmds`,
 * `basecalls`, the callsign patterns, `checksum16` / `pack16bits`). Only the facts are taken; the
 * checksum was checked against the real program: `N1BBB MSG HELLO WORLD` went out as the data
 * frame `HELLO WORLD 5GA` (Debian js8call 2.2.0, ALL.TXT).
 *
 * @packageDocumentation
 */

/**
 * Commands JS8Call parses right after the destination, in the order its pattern tries them, with
 * its leading space. `?` and `>` (relay) follow the callsign directly; `' '` is free text.
 * The `word` ones need a space or the end of the text after them; the others do not.
 */
const COMMANDS: ReadonlyArray<{ readonly cmd: string; readonly word: boolean }> = [
  ...[' AGN?', ' QSL?', ' HW CPY?', ' MSG TO:', ' SNR?', ' INFO?', ' GRID?', ' STATUS?', ' QUERY MSGS?', ' HEARING?']
    .map((cmd) => ({ cmd, word: false })),
  ...[' STATUS', ' HEARING', ' QUERY CALL', ' QUERY MSGS', ' QUERY', ' CMD', ' MSG', ' NACK', ' ACK', ' 73', ' YES',
    ' NO', ' HEARTBEAT SNR', ' SNR', ' QSL', ' RR', ' SK', ' FB', ' INFO', ' GRID', ' DIT DIT']
    .map((cmd) => ({ cmd, word: true })),
  ...['?', '>', ' '].map((cmd) => ({ cmd, word: false })),
]

/** Commands whose body JS8Call buffers and (except GRID) protects with a 16-bit checksum. */
const CHECKSUMMED_COMMANDS: ReadonlySet<string> = new Set(['>', ' MSG', ' MSG TO:', ' QUERY', ' QUERY MSGS', ' QUERY CALL', ' CMD'])

/** Commands whose body JS8Call strips of leading spaces (the buffered ones). */
const BUFFERED_COMMANDS: ReadonlySet<string> = new Set([...CHECKSUMMED_COMMANDS, ' GRID'])

/** Groups with a pre-encoded number: they fit a standard directed frame like a callsign. */
export const JS8_BASE_GROUPS: ReadonlySet<string> = new Set([
  '@ALLCALL', '@JS8NET', '@DX/NA', '@DX/SA', '@DX/EU', '@DX/AS', '@DX/AF', '@DX/OC', '@DX/AN',
  '@REGION/1', '@REGION/2', '@REGION/3', ...Array.from({ length: 10 }, (_, i) => `@GROUP/${i}`),
  '@COMMAND', '@CONTROL', '@NET', '@NTS', ...Array.from({ length: 5 }, (_, i) => `@RESERVE/${i}`),
  '@APRSIS', '@RAGCHEW', '@JS8', '@EMCOMM', '@ARES', '@MARS', '@AMRRON', '@RACES', '@RAYNET', '@RADAR',
  '@SKYWARN', '@CQ', '@HB', '@QSO', '@QSOPARTY', '@CONTEST', '@FIELDDAY', '@SOTA', '@IOTA', '@POTA', '@QRP', '@QRO',
])

/** The group every station listens to. */
export const JS8_ALLCALL = '@ALLCALL'

/** A callsign JS8 packs into a standard frame: one or two prefix characters, a digit, up to three letters. */
const STANDARD_CALL = /^[0-9A-Z]?[0-9A-Z][0-9][A-Z]{0,3}$/

/** Something JS8Call takes for a destination: a `@GROUP`, or a callsign (letters and a digit). */
const DESTINATION = /^(?:@[A-Z0-9/]+|(?=[A-Z0-9/]*[A-Z])(?=[A-Z0-9/]*[0-9])[A-Z0-9/]+)$/

/** True when `call` (a callsign or group) fits a standard directed frame; otherwise JS8 needs a compound frame. */
export function isStandardJs8Call(call: string): boolean {
  return call.startsWith('@') ? JS8_BASE_GROUPS.has(call) : STANDARD_CALL.test(call)
}

/** True when `word` can be the destination of a directed message. */
export function isJs8Destination(word: string): boolean {
  return DESTINATION.test(word)
}

/** The command `rest` (the text right after the destination) starts with, or undefined. */
export function matchJs8Command(rest: string): string | undefined {
  for (const { cmd, word } of COMMANDS) {
    if (!rest.startsWith(cmd)) continue
    const next = rest.charAt(cmd.length)
    if (!word || next === '' || next === ' ') return cmd
  }
  return undefined
}

/** True when JS8Call appends a checksum to this command's body. */
export function isChecksummedCommand(cmd: string): boolean {
  return CHECKSUMMED_COMMANDS.has(cmd)
}

/** True when JS8Call strips leading spaces off this command's body. */
export function isBufferedCommand(cmd: string): boolean {
  return BUFFERED_COMMANDS.has(cmd)
}

/** JS8's 41-character alphabet that packed numbers are written in. */
const ALPHABET_41 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-./?'

/** Characters of a checksum. */
export const JS8_CHECKSUM_CHARS = 3

/** CRC-16/KERMIT (poly 0x1021 reflected, init 0, no final XOR; check 0x2189 for `123456789`). */
function crc16Kermit(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
  }
  return crc
}

/**
 * JS8Call's 16-bit checksum of a buffered command's body: CRC-16/KERMIT of the text's bytes,
 * written as three base-41 digits, most significant first (e.g. `HELLO WORLD` → `5GA`).
 */
export function js8Checksum16(text: string): string {
  const crc = crc16Kermit(new TextEncoder().encode(text))
  const digits = [Math.floor(crc / (41 * 41)), Math.floor(crc / 41) % 41, crc % 41]
  return digits.map((d) => ALPHABET_41.charAt(d)).join('')
}
