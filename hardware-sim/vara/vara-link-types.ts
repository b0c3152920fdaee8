/**
 * The contract between a simulated VARA modem and its ARQ link (vara-link.ts).
 *
 * @packageDocumentation
 */
import type { Prng } from '../prng.js'
import type { RfChannel } from '../rf-channel.js'
import type { VaraBandwidth, VaraFlavour } from './vara-levels.js'

/** Host-controlled settings the link reads live. */
export interface VaraLinkSettings {
  readonly myCalls: readonly string[]
  readonly listen: boolean
  readonly chat: boolean
  readonly bandwidth: VaraBandwidth
  readonly p2p: boolean
  readonly registered: boolean
}

/** Retry limits. */
export interface VaraLinkLimits {
  /** Connect requests sent before giving up. */
  readonly connectAttempts: number
  /** Unanswered retries before a connected link is declared lost. */
  readonly maxRetries: number
  /** Silence before a connected link polls its peer, simulated ms. */
  readonly idleProbeMs: number
}

/** What the link needs from its modem. */
export interface VaraLinkDeps {
  readonly channel: RfChannel
  readonly stationId: string
  readonly flavour: VaraFlavour
  readonly settings: () => VaraLinkSettings
  readonly limits: VaraLinkLimits
  readonly prng: Prng
  /** A line for the command port. */
  readonly emit: (line: string) => void
  /** Payload bytes for the data port, in order. */
  readonly deliver: (bytes: Uint8Array) => void
}

/** Link states: idle, dialling, answering a request, connected, draining before DISCONNECT. */
export type VaraLinkState = 'idle' | 'calling' | 'answering' | 'connected' | 'closing'
