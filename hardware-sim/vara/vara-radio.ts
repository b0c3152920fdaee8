/**
 * The physical side of a simulated VARA modem: its station on the RF channel, PTT reports, the
 * speed level that follows the SNR, and how long each frame is on air.
 *
 * The BITRATE a level reports is its net rate, as real VARA's is: what a sender that keeps the
 * modem busy gets through the ARQ on a clean channel. One ARQ cycle (the retry cycle, 4.0 s or
 * 4.6 s in P2P) carries one full data frame of `bitrate × cycle` payload bits, then the ACK and the
 * two turnarounds (keyup, tail and path latency each way). The data frame therefore goes out at a
 * physical rate above the net one, by exactly the ARQ overhead of that cycle.
 *
 * @packageDocumentation
 */
import type { RfProfile } from '../profiles.js'
import type { RfChannel, RfStation } from '../rf-channel.js'
import { decodeVaraFrame, encodeVaraFrame, type VaraFrame } from './vara-frames.js'
import {
  formatBitrate, levelTable, selectLevel, VARA_TIMING, type VaraBandwidth, type VaraFlavour, type VaraLevel,
} from './vara-levels.js'

/** What the radio needs from its modem. */
export interface VaraRadioDeps {
  readonly channel: RfChannel
  readonly stationId: string
  readonly flavour: VaraFlavour
  /** A line for the command port (PTT ON/OFF, BITRATE). */
  readonly say: (line: string) => void
  /** A frame that passed the CRC and decoded, with the SNR it was heard at (dB). */
  readonly onFrame: (frame: VaraFrame, snrDb: number) => void
  readonly onBusyChange: (busy: boolean) => void
}

/** One ARQ cycle, ms: the retry cycle of the session type (EA5HVK command list). */
export function arqCycleMs(p2p: boolean): number {
  return p2p ? VARA_TIMING.p2pCycleMs : VARA_TIMING.winlinkCycleMs
}

/** Payload bytes one full data frame carries at `level`: one ARQ cycle's worth at the net rate. */
export function dataFrameCapacity(level: VaraLevel, p2p: boolean): number {
  return Math.max(1, Math.floor((level.bitrateBps * arqCycleMs(p2p)) / 8000))
}

/**
 * Signal time of a full data frame, ms: the cycle minus the ACK and both turnarounds on this
 * channel (never below a quarter of the cycle, for absurd latencies).
 */
export function dataSignalMs(profile: Readonly<RfProfile>, p2p: boolean): number {
  const cycle = arqCycleMs(p2p)
  const turnarounds = 2 * (profile.txDelayMs + profile.txTailMs + profile.latencyMs)
  return Math.max(cycle / 4, cycle - VARA_TIMING.controlFrameMs - turnarounds)
}

/** On-air rate of `level`'s data frames, bit/s: a full frame fills {@link dataSignalMs}. */
export function physicalBitrate(level: VaraLevel, profile: Readonly<RfProfile>, p2p: boolean): number {
  return (dataFrameCapacity(level, p2p) * 8000) / dataSignalMs(profile, p2p)
}

/** One modem's transmitter and receiver. */
export class VaraRadio {
  private onAir = false
  private level: VaraLevel | undefined
  private readonly station: RfStation

  constructor(private readonly deps: VaraRadioDeps) {
    this.station = deps.channel.attach({
      id: deps.stationId,
      mode: `vara-${deps.flavour}`,
      onFrame: (rf) => {
        if (rf.bitErrors > 0) return // the modem's CRC rejects it
        const decoded = decodeVaraFrame(rf.payload)
        if (decoded.ok) deps.onFrame(decoded.value, rf.snrDb)
      },
      onBusyChange: (busy) => deps.onBusyChange(busy),
    })
  }

  /** Our own frame is on air. */
  get transmitting(): boolean {
    return this.onAir
  }

  /** Someone else is on air (carrier sense). */
  isBusy(): boolean {
    return this.station.isBusy()
  }

  /** The fastest level the channel's SNR allows now; says BITRATE when it changes. */
  pickLevel(bandwidth: number): VaraLevel {
    const table = levelTable(this.deps.flavour, (bandwidth || 2300) as VaraBandwidth)
    const level = selectLevel(table, this.deps.channel.snrDb())
    if (level.level !== this.level?.level) this.deps.say(formatBitrate(level))
    this.level = level
    return level
  }

  /** A new session starts from scratch (BITRATE is reported again). */
  forgetLevel(): void {
    this.level = undefined
  }

  /**
   * Sends a data frame at `level`: its airtime is its payload at the level's physical rate, and never
   * less than an ACK frame's (a data frame is the ACK plus payload, so a short reply that carries a
   * few bytes back costs the peer's turn no less than the ACK it replaces).
   */
  sendData(frame: VaraFrame, level: VaraLevel, p2p: boolean, onEnd: () => void): void {
    const bps = physicalBitrate(level, this.deps.channel.profile, p2p)
    this.transmit(frame, Math.max(VARA_TIMING.controlFrameMs, (frame.payload.length * 8000) / bps), level.minSnrDb, onEnd)
  }

  /** Sends a control frame (connect, accept, ACK, poll, disconnect): fixed length, most robust mode. */
  sendControl(frame: VaraFrame, onEnd: () => void): void {
    const robust = levelTable(this.deps.flavour, 500)[0]?.minSnrDb ?? 0
    this.transmit(frame, VARA_TIMING.controlFrameMs, robust, onEnd)
  }

  /** Leaves the channel. */
  detach(): void {
    this.station.detach()
  }

  private transmit(frame: VaraFrame, durationMs: number, minSnrDb: number, onEnd: () => void): void {
    this.onAir = true
    this.deps.say('PTT ON')
    this.station.transmit(encodeVaraFrame(frame), {
      durationMs,
      minSnrDb,
      onEnd: () => {
        this.onAir = false
        this.deps.say('PTT OFF')
        onEnd()
      },
    })
  }
}
