import { createSimNet, type SimNet } from '../helpers/ax25-sim-stations.js'
import { runTransportContract } from './transport-contract.js'

// Two AX.25 transports on two simulated KISS TNCs that serve KISS over TCP (like Direwolf's port
// 8001), sharing a 1200 bit/s channel at 50× real time. Losing the device = the TNC going away.
let net: SimNet | undefined

runTransportContract('ax25 (KISS over TCP)', async () => {
  await net?.close()
  net = createSimNet({ timeScale: 50 })
  const opts = { mtu: 2048 }
  const a = await net.add('tcp-a', 'N0AAA-1', 'tcp', opts)
  const b = await net.add('tcp-b', 'N0BBB-2', 'tcp', opts)
  const current = net
  return {
    a: a.transport,
    b: b.transport,
    bAddress: 'N0BBB-2',
    aAddress: 'N0AAA-1',
    breakA: () => a.tnc.close(),
    teardown: async () => {
      await current.close()
      if (net === current) net = undefined
    },
  }
})
