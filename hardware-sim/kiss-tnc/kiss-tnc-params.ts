/**
 * The per-port channel-access parameters a KISS host sets with commands 1–5 (radio.md §1.2), in
 * KISS units, with Direwolf's defaults (`src/audio.h`: TXDELAY 30, PERSIST 63, SLOTTIME 10,
 * TXTAIL 10, FULLDUP off).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { KissCommand, type KissParameterCommand } from '../../codecs/kiss.js'

/** One KISS parameter byte. */
const KissByteSchema = z.number().int().min(0).max(255)

/** The parameters of one radio port, in KISS units. */
export const KissTncParamsSchema = z.object({
  /** Keyup delay before the first frame, 10 ms units. */
  txDelay: KissByteSchema.default(30),
  /** Persistence P: after each slot the TNC transmits when a 0–255 draw is ≤ P (p = (P+1)/256). */
  persistence: KissByteSchema.default(63),
  /** CSMA slot, 10 ms units. */
  slotTime: KissByteSchema.default(10),
  /** Carrier hold after the last frame, 10 ms units. */
  txTail: KissByteSchema.default(10),
  /** Full duplex: transmit at once, without carrier sense or random wait. */
  fullDuplex: z.boolean().default(false),
})

/** Resolved parameters of one port. */
export type KissTncParams = z.infer<typeof KissTncParamsSchema>

/** One KISS parameter unit, ms. */
export const KISS_TIME_UNIT_MS = 10

/** Which field each parameter command sets. */
const FIELD: Record<KissParameterCommand, keyof KissTncParams> = {
  [KissCommand.TxDelay]: 'txDelay',
  [KissCommand.Persistence]: 'persistence',
  [KissCommand.SlotTime]: 'slotTime',
  [KissCommand.TxTail]: 'txTail',
  [KissCommand.FullDuplex]: 'fullDuplex',
}

/** True for commands 1–5, the ones that carry one parameter byte. */
export function isParameterCommand(command: number): command is KissParameterCommand {
  return command >= KissCommand.TxDelay && command <= KissCommand.FullDuplex
}

/** The parameters after a host's command: FullDuplex is on for any non-zero byte (the spec's rule). */
export function applyParameter(params: KissTncParams, command: KissParameterCommand, value: number): KissTncParams {
  const field = FIELD[command]
  return { ...params, [field]: field === 'fullDuplex' ? value !== 0 : value }
}
