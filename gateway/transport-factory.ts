/**
 * Builds each configured link's transport from its config section. The section's name becomes the
 * transport id (what logs, metrics, the policy's `preference` and peer addresses call it).
 *
 * @packageDocumentation
 */
import { Ax25Transport } from '../transports/ax25/ax25-transport.js'
import type { AprsInfoProvider } from '../transports/ax25/aprs-gateway.js'
import { Js8CallTransport } from '../transports/js8call/js8call-transport.js'
import { TcpTransport } from '../transports/tcp/tcp-transport.js'
import type { Transport } from '../transports/types.js'
import { VaraTransport } from '../transports/vara/vara-transport.js'
import type { LinkConfig } from './config/schema.js'
import type { Logger } from './log.js'

/** What transports may need from the gateway. */
export interface TransportDeps {
  log: Logger
  /** Chain tip and tx status for the AX.25 link's APRS answers. */
  aprsInfo: AprsInfoProvider
}

/** Builds a transport for the link `id` as configured. */
export type TransportFactory = (id: string, link: LinkConfig, deps: TransportDeps) => Transport

/** The transport of link `id` from its config section. */
export const createTransport: TransportFactory = (id, link, deps) => {
  const log = deps.log.child({ component: 'transport', transport: id })
  const section = link.input
  switch (section.type) {
    case 'tcp': {
      const { type: _type, ...options } = section
      return new TcpTransport({ ...options, id })
    }
    case 'ax25': {
      const { type: _type, beaconIntervalMs: _beacon, ...options } = section
      return new Ax25Transport({ ...options, id }, { log, aprsInfo: deps.aprsInfo })
    }
    case 'vara': {
      const { type: _type, ...options } = section
      return new VaraTransport({ ...options, id }, { log })
    }
    case 'js8call': {
      const { type: _type, beaconIntervalMs: _beacon, ...options } = section
      return new Js8CallTransport({ ...options, id }, { log })
    }
  }
}
