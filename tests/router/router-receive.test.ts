import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WireMessage } from '../../codecs/envelope.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import type { Inbound } from '../../gateway/router/router.js'
import type { MessageClass } from '../../gateway/store/message-class.js'
import { FakeTransport, frameOf } from './fake-transport.js'
import { hello, inv, label, routerRig, sleep, until, type Rig } from './router-rig.js'

const B = 'gw-b'
const CONFIGURED = '127.0.0.1:7001' // B's listening address
const EPHEMERAL = '127.0.0.1:40001' // where B's dialled connection speaks from

let rig: Rig | undefined
afterEach(async () => {
  await rig?.close()
  rig = undefined
})

function started(viaMesh?: (peer: string, msg: WireMessage, cls: MessageClass) => boolean): { r: Rig; link: FakeTransport; inbound: Inbound[] } {
  rig = routerRig({ links: [new FakeTransport('tcp-a')], peers: [{ name: B, addresses: { 'tcp-a': CONFIGURED } }], router: viaMesh === undefined ? {} : { viaMesh } })
  const inbound: Inbound[] = []
  rig.router.on('message', (m) => inbound.push(m))
  rig.router.start()
  return { r: rig, link: rig.link('tcp-a'), inbound }
}

describe('Router: inbound frames', () => {
  it('holds frames from an unknown sender until its hello, then delivers them in order as that peer', async () => {
    const { r, link, inbound } = started()
    const fromB = new LinkFraming()
    const dropped: unknown[] = []
    r.router.on('dropped', (e) => dropped.push(e))
    link.receive(frameOf(fromB, inv(1), 'tcp-a'), EPHEMERAL)
    link.receive(frameOf(fromB, inv(2), 'tcp-a'), EPHEMERAL)
    link.receive(frameOf(new LinkFraming(), inv(9), 'tcp-a'), '127.0.0.1:40002') // someone else, still unknown
    expect(inbound).toEqual([])
    link.receive(frameOf(fromB, hello(B), 'tcp-a'), EPHEMERAL)
    expect(inbound.map((m) => label(m.msg))).toEqual(['hello', 'inv1', 'inv2'])
    expect(inbound.every((m) => m.peer === B && m.from === EPHEMERAL && m.link === 'tcp-a')).toBe(true)
    expect(r.directory.identify('tcp-a', EPHEMERAL)).toBe(B)
    expect(r.directory.address(B, 'tcp-a')).toBe(CONFIGURED) // the configured address is kept
    link.receive(frameOf(fromB, inv(3), 'tcp-a'), EPHEMERAL)
    expect(inbound.map((m) => label(m.msg))).toEqual(['hello', 'inv1', 'inv2', 'inv3'])
    expect(dropped).toEqual([])
    expect(r.monitor.snapshot().links['tcp-a']?.peers[B]?.stale).toBe(false)
  })

  it('drops a frame that does not decode and reports it', () => {
    const { r, link, inbound } = started()
    const dropped: { reason: string }[] = []
    r.router.on('dropped', (e) => dropped.push(e))
    link.receive(Uint8Array.of(0xff, 0xff, 0xff, 0xff), CONFIGURED)
    expect(inbound).toEqual([])
    expect(dropped).toHaveLength(1)
    expect(dropped[0]?.reason).toMatch(/^ERR_/)
  })
})

describe('Router: far peers', () => {
  it('hands what a peer with no address on any link is owed to the mesh, durable entries then waiting for their ack', async () => {
    const viaMesh = vi.fn((_peer: string, _msg: WireMessage, _cls: MessageClass) => true)
    const { r, link } = started(viaMesh)
    r.directory.learnedVia('gw-far', B)
    r.router.enqueue('gw-far', 'block:1', 'block-announce', inv(1))
    r.router.send('gw-far', { msg: inv(2), cls: 'control' })
    await until('both handed to the mesh', () => viaMesh.mock.calls.length === 2)
    expect(viaMesh.mock.calls).toEqual([
      ['gw-far', inv(2), 'control'],
      ['gw-far', inv(1), 'block-announce'],
    ])
    expect(r.store.queue.count('gw-far')).toMatchObject({ queued: 0, sent: 1 })
    expect(r.router.counts('gw-far')).toEqual({ control: 0, inFlight: 1 })
    expect(link.attempts).toEqual([])
    r.router.acked('gw-far', ['block:1'])
    expect(r.router.counts('gw-far').inFlight).toBe(0)
  })

  it('keeps them queued when no neighbour takes them', async () => {
    const viaMesh = vi.fn(() => false)
    const { r } = started(viaMesh)
    r.directory.learnedVia('gw-far', B)
    r.router.enqueue('gw-far', 'block:1', 'block-announce', inv(1))
    r.router.send('gw-far', { msg: inv(2), cls: 'control' })
    await until('offered to the mesh', () => viaMesh.mock.calls.length > 0)
    await sleep(20)
    expect(r.store.queue.count('gw-far')).toMatchObject({ queued: 1, sent: 0 })
    expect(r.router.counts('gw-far')).toEqual({ control: 1, inFlight: 0 })
  })
})
