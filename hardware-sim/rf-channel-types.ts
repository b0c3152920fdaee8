/**
 * The RF channel's API as stations and devices see it (implementation in rf-channel.ts, which
 * re-exports these types).
 *
 * @packageDocumentation
 */
import type { RfProfile } from './profiles.js'
import type { SimClock } from './sim-clock.js'

/** How long a transmission is on air; every field defaults to the channel profile. */
export interface AirtimeOptions {
  /** Modulation rate, bit/s. */
  bitrateBps?: number
  /** Keyup before the signal, ms (0 for a frame sent back to back in the same keyup). */
  txDelayMs?: number
  /** Carrier hold after the signal, ms. */
  txTailMs?: number
  /** On-air bytes the payload does not hold (HDLC flags, FCS, bit stuffing), bytes. */
  extraBytes?: number
  /** Signal length stated by the mode (e.g. a JS8 frame), replacing bytes·8/bitrate, ms. */
  durationMs?: number
}

/** Options of {@link RfStation.transmit}. */
export interface TransmitOptions extends AirtimeOptions {
  /** Decode floor of the mode used for this frame, dB; defaults to the profile's threshold. */
  minSnrDb?: number
  /** Called when the transmission ends (the place to drop PTT). */
  onEnd?: (tx: TxReport) => void
}

/** What {@link RfStation.transmit} scheduled. */
export interface TxReport {
  readonly id: number
  readonly from: string
  /** Payload bytes. */
  readonly bytes: number
  /** Simulated ms; later than now when queued behind this station's previous transmission. */
  readonly startMs: number
  readonly endMs: number
  readonly airtimeMs: number
}

/** A frame as a receiver gets it. */
export interface RfFrame {
  readonly from: string
  readonly mode: string
  /** The receiver's own copy, with any bit errors applied. */
  readonly payload: Uint8Array
  /** SNR at the end of the frame, dB. */
  readonly snrDb: number
  readonly startMs: number
  readonly endMs: number
  readonly receivedAtMs: number
  /** Bits flipped on the way (a modem's CRC would reject the frame when > 0). */
  readonly bitErrors: number
}

/** Options of {@link RfChannel.attach}. */
export interface RfStationOptions {
  /** Unique on the channel. */
  id: string
  /** Modulation tag: only frames of the same mode are delivered; undefined hears every mode. */
  mode?: string
  onFrame?: (frame: RfFrame) => void
  /** Carrier sense changes as heard by this station (another station or foreign user on air). */
  onBusyChange?: (busy: boolean) => void
}

/** A station's handle on the channel. */
export interface RfStation {
  readonly id: string
  /** Sends `payload`; queued behind this station's own transmission if one is on air. */
  transmit(payload: Uint8Array, options?: TransmitOptions): TxReport
  isTransmitting(): boolean
  /** Carrier sense for CSMA: another station or a foreign user is on air now. */
  isBusy(): boolean
  /** Leaves the channel; pending deliveries to it are dropped. */
  detach(): void
}

/** Counters since creation; delivery outcomes count once per (frame, receiver). */
export interface RfChannelStats {
  transmissions: number
  interferences: number
  deliveries: number
  lost: number
  collisions: number
  halfDuplexMisses: number
  bitErrorFrames: number
  bitErrors: number
}

/** The shared medium. */
export interface RfChannel {
  readonly clock: SimClock
  readonly profile: Readonly<RfProfile>
  attach(options: RfStationOptions): RfStation
  /** Airtime of a `bytes`-byte transmission with these options, ms. */
  airtimeMs(bytes: number, options?: AirtimeOptions): number
  /** SNR at `atMs` (default now), dB. */
  snrDb(atMs?: number): number
  /** Replaces the SNR script with a constant from now on, dB. */
  setSnr(snrDb: number): void
  /** Anyone on air now. */
  isBusy(): boolean
  /** A foreign user keys up now for `durationMs`: busy for everyone, collides with overlapping frames. */
  interfere(durationMs: number): void
  stats(): RfChannelStats
  /** Cancels scheduled events and detaches everyone. */
  close(): void
}
