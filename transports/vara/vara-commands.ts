/**
 * The command lines the transport sends to VARA (radio.md §3.2), built from the options. Pure.
 *
 * @packageDocumentation
 */
import type { VaraOptions } from './config.js'

/** One initialisation command. */
export interface InitCommand {
  /** The line, without its CR. */
  readonly line: string
  /** WRONG is tolerated (logged): commands clients send that the 2022 command list does not name. */
  readonly optional: boolean
}

/**
 * The initialisation sequence, in order: our callsign(s), LISTEN, the HF bandwidth, no modem
 * compression (our envelopes are compressed already; VARA's TEXT mode would only cost CPU and
 * latency), P2P SESSION (the gateway-to-gateway timing, not Winlink's), then CWID on HF when asked.
 * VERSION follows separately: it is answered by a VERSION line, not OK.
 */
export function initCommands(o: VaraOptions): InitCommand[] {
  const hf = o.flavour === 'hf'
  const commands: InitCommand[] = [
    { line: `MYCALL ${[o.callsign, ...o.extraCallsigns].join(' ')}`, optional: false },
    { line: `LISTEN ${o.listen ? 'ON' : 'OFF'}`, optional: false },
  ]
  if (hf) commands.push({ line: `BW${o.bandwidth}`, optional: false })
  commands.push({ line: 'COMPRESSION OFF', optional: false }, { line: 'P2P SESSION', optional: false })
  if (hf && o.cwid) commands.push({ line: 'CWID ON', optional: true })
  return commands
}

/** `CONNECT me peer`, with `VIA d1 [d2]` on FM when digipeaters are configured for the peer. */
export function connectCommand(o: VaraOptions, peer: string): string {
  const via = o.flavour === 'fm' ? (o.digipeaters[peer] ?? []) : []
  return `CONNECT ${o.callsign} ${peer}${via.length > 0 ? ` VIA ${via.join(' ')}` : ''}`
}
