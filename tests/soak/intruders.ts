/**
 * Invalid content pushed into the soak's network from outside: a transaction with a broken
 * signature, sent on a gateway's node-facing P2P port (as a rogue node would) or by a hostile
 * gateway on a TCP link (hello, then the transaction). Nothing of it may ever reach a node.
 */
import { connect } from 'node:net'
import type { WireMessage } from '../../codecs/envelope.js'
import { txHash, ZERO_HASH } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Transaction } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import { createTransaction } from '../../codecs/producer.js'
import { FEATURE_BITS, LINK_BITS, PROTOCOL_VERSION } from '../../codecs/wire-gateway.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import { TcpTransport } from '../../transports/tcp/tcp-transport.js'

/** A transaction whose signature does not verify (one bit flipped); its valid twin is never sent. */
export function badSignatureTx(n: number): { tx: Transaction; hash: string } {
  const valid = createTransaction({ secretKey: new Uint8Array(32).fill(66), recipient: new Uint8Array(32).fill(1), amount: 1_000n + BigInt(n), nonce: BigInt(n) })
  const signature = Uint8Array.from(valid.signature)
  signature[0] = (signature[0] ?? 0) ^ 1
  const tx = { ...valid, signature }
  return { tx, hash: toHex(txHash(tx)) }
}

/** Sends `tx` as a `NewTransaction` line to the P2P listener on 127.0.0.1:`port`, then hangs up. */
export function injectOverP2p(port: number, tx: Transaction): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end(`${encodeP2PMessage({ type: 'NewTransaction', transaction: tx })}\n`)
    })
    socket.on('error', reject)
    socket.on('close', () => resolve())
    socket.resume() // the gateway answers nothing we need; read it away
  })
}

/** A hostile gateway `station` dials 127.0.0.1:`port`, says hello, and sends `tx`. */
export async function injectAsPeer(port: number, station: string, tx: Transaction): Promise<void> {
  const t = new TcpTransport({ id: 'intruder' })
  await t.start()
  try {
    const framing = new LinkFraming()
    const hello: WireMessage = { type: 'hello', version: PROTOCOL_VERSION, station, height: 0, tip: ZERO_HASH, links: LINK_BITS.tcp, features: FEATURE_BITS.relay, dictionaries: 1 }
    for (const msg of [hello, { type: 'tx', transaction: tx } satisfies WireMessage]) {
      for (const f of framing.outbound(msg, t.id, 'victim', t.capabilities.mtu)) await t.send(f, { to: `127.0.0.1:${port}` })
    }
    await new Promise((r) => setTimeout(r, 200)) // let the frames land before the socket closes
  } finally {
    await t.stop()
  }
}
