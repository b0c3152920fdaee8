import { afterAll, beforeAll } from 'vitest'
import { TcpTransport } from '../../transports/tcp/tcp-transport.js'
import { requireProgram } from '../helpers/require-program.js'
import { makeTestIdentities, type TestIdentities } from '../helpers/tls-identities.js'
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

// The same suite with mutually pinned TLS 1.3 on. A pins B by the address it dials, and B's port
// is picked by the kernel, so B starts inside the fixture (its start is idempotent in the suite).
if (requireProgram('openssl')) {
  let ids: TestIdentities<'a' | 'b'>
  beforeAll(async () => {
    ids = await makeTestIdentities(['a', 'b'] as const)
  })
  afterAll(async () => {
    await ids.remove()
  })

  runTransportContract('tcp+tls', async () => {
    const { a: idA, b: idB } = ids.of
    const b = new TcpTransport({
      id: 'tcp-b', listen: { host: '127.0.0.1', port: 0 }, mtu: 4096,
      tls: { certFile: idB.certFile, keyFile: idB.keyFile, clientPins: [idA.fingerprint] },
    })
    await b.start()
    const bAddress = `127.0.0.1:${b.address()?.port ?? 0}`
    const a = new TcpTransport({ id: 'tcp-a', mtu: 4096, tls: { certFile: idA.certFile, keyFile: idA.keyFile, pins: { [bAddress]: idB.fingerprint } } })
    return { a, b, bAddress, teardown: async () => undefined }
  })
}
