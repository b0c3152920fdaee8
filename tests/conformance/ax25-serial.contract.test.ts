import { describe } from 'vitest'
import { createSimNet, type SimNet } from '../helpers/ax25-sim-stations.js'
import { requireProgram } from '../helpers/require-program.js'
import { runTransportContract } from './transport-contract.js'

// Two AX.25 transports on two simulated KISS TNCs, each on a real serial line (a socat pty pair
// opened with the serialport binding on both ends), sharing a 1200 bit/s channel at 50× real
// time. Losing the device = socat going away under the transport (unplugged).
describe.runIf(requireProgram('socat'))('over socat pty pairs', () => {
  let net: SimNet | undefined

  runTransportContract('ax25 (KISS over serial)', async () => {
    await net?.close()
    net = createSimNet({ timeScale: 50 })
    const opts = { mtu: 2048 }
    const a = await net.add('ser-a', 'N0AAA-1', 'serial', opts)
    const b = await net.add('ser-b', 'N0BBB-2', 'serial', opts)
    const current = net
    return {
      a: a.transport,
      b: b.transport,
      bAddress: 'N0BBB-2',
      aAddress: 'N0AAA-1',
      breakA: () => a.pty?.close() ?? Promise.resolve(),
      teardown: async () => {
        await current.close()
        if (net === current) net = undefined
      },
    }
  })
})
