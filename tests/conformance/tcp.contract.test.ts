import { TcpTransport } from '../../transports/tcp/tcp-transport.js'
import { runTransportContract } from './transport-contract.js'

// TCP has no device to lose: the listener is a local socket, peers are dialled on demand, so the
// device-loss case of the contract does not apply and is skipped by the suite.
runTransportContract('tcp', async () => {
  const b = new TcpTransport({ id: 'tcp-b', listen: { host: '127.0.0.1', port: 0 }, mtu: 4096 })
  const a = new TcpTransport({ id: 'tcp-a', mtu: 4096 })
  let port = 0
  b.on('state', (s) => {
    if (s.to === 'up') port = b.address()?.port ?? 0
  })
  return {
    a,
    b,
    get bAddress() {
      return `127.0.0.1:${port}`
    },
    teardown: async () => undefined,
  }
})
