import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeEnvelope } from '../../codecs/envelope.js'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import { GatewayStatusSchema } from '../../gateway/status-model.js'
import { freePort, perTestNet, until } from '../helpers/gateway-net.js'

const TXS = 20

/** Gateway A as its own process (`bunker-gateway run`), so it can be SIGKILLed like a power cut. */
function runGateway(config: string): { child: ChildProcess; exited: Promise<unknown> } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BUNKER_GATEWAY_') && k !== 'NOTIFY_SOCKET'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'run', '--config', config], { env, stdio: 'ignore' })
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) }
}

async function statusOf(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/status`).catch(() => undefined)
  return res?.ok === true ? GatewayStatusSchema.parse(await res.json()) : undefined
}

describe('a gateway killed with a full queue', () => {
  const useNet = perTestNet()
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  })

  it('delivers everything after a restart, each transaction once', async () => {
    const net = useNet()
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [portA, portB, statusA] = [await freePort(), await freePort(), await freePort()]
    const dir = net.stateDir()
    const config = join(dir, 'gateway-a.toml')
    writeFileSync(
      config,
      [
        '[station]', 'id = "gw-a"', `stateDir = ${JSON.stringify(join(dir, 'state'))}`,
        '[node.p2p]', `peers = ["127.0.0.1:${nodeA.p2pPort}"]`,
        '[links.net]', 'type = "tcp"', `listen = { host = "127.0.0.1", port = ${portA} }`,
        '[[peers]]', 'name = "gw-b"', `addresses = { net = "127.0.0.1:${portB}" }`,
        '[status]', `port = ${statusA}`,
      ].join('\n'),
    )
    const first = runGateway(config)
    children.push(first.child)
    let status: Awaited<ReturnType<typeof statusOf>>
    const poll = setInterval(() => void statusOf(statusA).then((s) => (status = s)), 100)
    try {
      await until('gateway A up with its node', () => status?.node?.connected === true, 20_000)
      // gateway B is not there: everything queues up for it at A, durably
      const txs = Array.from({ length: TXS }, () => nodeA.send(randomBytes(32), 3n))
      const bytes = txs.reduce((n, transaction) => n + encodeEnvelope({ type: 'tx', transaction }, { compress: 'never' }).length, 0)
      await until('A has accepted every tx', () => status?.chain.mempool === TXS, 20_000)
      await until('and queued them for B', () => status?.peers.find((p) => p.name === 'gw-b')?.pendingBytes === bytes, 20_000).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(status?.peers)}`)
      })
    } finally {
      clearInterval(poll)
    }
    first.child.kill('SIGKILL')
    await first.exited

    const gwB = await net.gateway({
      station: { id: 'gw-b', stateDir: net.stateDir() },
      node: { p2p: { peers: [`127.0.0.1:${nodeB.p2pPort}`] } },
      links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port: portB } } },
      peers: [{ name: 'gw-a', addresses: { net: `127.0.0.1:${portA}` } }],
    })
    const second = runGateway(config)
    children.push(second.child)
    const all = [...nodeA.state.transactions()].map((tx) => toHex(txHash(tx)))
    expect(all).toHaveLength(TXS)
    await until('every tx at node B', () => all.every((h) => nodeB.state.hasTransaction(h)), 30_000)
    await new Promise((r) => setTimeout(r, 500))
    for (const h of all) expect(nodeB.arrivals.get(`tx:${h}`)).toBe(1)
    expect(gwB.status().counters.txRelayed).toBe(TXS)
    for (const h of all) expect(nodeA.arrivals.get(`tx:${h}`) ?? 0).toBe(0) // A's node was not handed its own txs back
  }, 90_000)
})
