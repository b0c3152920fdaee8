/**
 * Two gateways, each with a simulated node, joined by ONE simulated radio link: the link's two
 * transports come from a transport fixture (simulated VARA modems, KISS TNCs behind ptys, JS8Calls)
 * and are handed to the gateways instead of the ones their config would build. Gateways keep the
 * wall clock; only the links run in simulated time.
 */
import type { GatewayConfigInput } from '../../gateway/config/schema.js'
import type { GatewayDeps } from '../../gateway/gateway.js'
import type { Transport } from '../../transports/types.js'
import type { GatewayNet } from './gateway-net.js'

/** One side of a radio link as the gateway config names it. */
export interface RadioSide {
  /** Station id (its callsign). */
  station: string
  transport: Transport
  /** A config section that validates (the fixture's transport replaces what it would build). */
  section: Record<string, unknown>
  /** How the other side addresses this station on the link. */
  address: string
}

/** Starts node A, node B and a gateway for each side of the link. */
export async function radioGateways(net: GatewayNet, a: RadioSide, b: RadioSide, deps: Partial<GatewayDeps> = {}, extra: Partial<GatewayConfigInput> = {}) {
  const [nodeA, nodeB] = [await net.node(), await net.node()]
  const start = (me: RadioSide, other: RadioSide, node: number) =>
    net.gateway(
      {
        station: { id: me.station, stateDir: net.stateDir() },
        node: { p2p: { peers: [`127.0.0.1:${node}`] } },
        links: { [me.transport.id]: me.section },
        peers: [{ name: other.station, addresses: { [me.transport.id]: other.address } }],
        ...extra,
      },
      { transports: () => me.transport, ...deps },
    )
  const gwA = await start(a, b, nodeA.p2pPort)
  const gwB = await start(b, a, nodeB.p2pPort)
  return { nodeA, nodeB, gwA, gwB }
}
