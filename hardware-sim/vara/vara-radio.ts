/**
 * The physical side of a simulated VARA modem: its station on the RF channel, PTT reports, the
 * speed level that follows the SNR, and how long each frame is on air.
 *
 * @packageDocumentation
 */
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

/** Payload bytes one data frame carries at `level`: a retry cycle minus the ACK that answers it. */
export function dataFrameCapacity(level: VaraLevel, p2p: boolean): number {
  const cycleMs = p2p ? VARA_TIMING.p2pCycleMs : VARA_TIMING.winlinkCycleMs
  return Math.max(1, Math.floor((level.bitrateBps * (cycleMs - VARA_TIMING.controlFrameMs)) / 8000))
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

  /** Sends a data frame at `level`: its airtime is its payload at the level's rate. */
  sendData(frame: VaraFrame, level: VaraLevel, onEnd: () => void): void {
    this.transmit(frame, (frame.payload.length * 8000) / level.bitrateBps, level.minSnrDb, onEnd)
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
