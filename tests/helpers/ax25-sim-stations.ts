/**
 * AX.25 stations on simulated KISS TNCs for tests: the net itself lives in
 * hardware-sim/links/ax25-sim-net.ts (the demo builds its packet link there too); this module adds
 * the transport-contract setup.
 */
import { createSimNet, type SimNet } from '../../hardware-sim/links/ax25-sim-net.js'
import type { ContractFixture } from '../conformance/transport-contract.js'

export { createSimNet, type SimNet, type SimStation } from '../../hardware-sim/links/ax25-sim-net.js'

/**
 * The transport-contract setup for two AX.25 stations (N0AAA-1 → N0BBB-2, mtu 2048 bytes) reached
 * over `via` on a net at 50× real time. Losing the device is socat going away under the transport
 * (serial: unplugged) or the TNC closing (tcp). Each call first closes the net of the call before,
 * in case a failed test never reached its teardown.
 */
export function ax25ContractSetup(via: 'serial' | 'tcp'): () => Promise<ContractFixture> {
  let net: SimNet | undefined
  const prefix = via === 'serial' ? 'ser' : 'tcp'
  return async () => {
    await net?.close()
    net = createSimNet({ timeScale: 50 })
    const opts = { mtu: 2048 }
    const a = await net.add(`${prefix}-a`, 'N0AAA-1', via, opts)
    const b = await net.add(`${prefix}-b`, 'N0BBB-2', via, opts)
    const current = net
    return {
      a: a.transport,
      b: b.transport,
      bAddress: 'N0BBB-2',
      aAddress: 'N0AAA-1',
      breakA: () => (via === 'serial' ? (a.pty?.close() ?? Promise.resolve()) : a.tnc.close()),
      teardown: async () => {
        await current.close()
        if (net === current) net = undefined
      },
    }
  }
}
