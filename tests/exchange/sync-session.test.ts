import { beforeAll, describe, expect, it } from 'vitest'
import type { WireMessage } from '../../codecs/envelope.js'
import { blockHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block } from '../../codecs/model.js'
import { buildNextBlock } from '../../codecs/producer.js'
import type { Bodies, GetBodies, Headers } from '../../codecs/wire-sync.js'
import { SyncSession, type SyncHost, type SyncOptions } from '../../gateway/exchange/sync-session.js'
import { silentLogger } from '../../gateway/log.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { answerGetBodies } from '../../gateway/protocol/bodies.js'
import { answerGetHeaders, answerGetHeadersPushing, chainViewOf, type ChainView } from '../../gateway/protocol/sync.js'
import type { MessageClass } from '../../gateway/store/message-class.js'
import { corpusChain, corpusTransactions } from '../../hardware-sim/corpus.js'

const T0 = 1_700_000_000_000 // ms
const TIMEOUT = 1_000 // ms
/** Small batches: 3 headers per round and 2 blocks of 2 tx per body run (283 bytes each). */
const SMALL: SyncOptions = { maxHeaders: 3, batchBytes: 600, pipeline: 2, requestTimeoutMs: TIMEOUT, attempts: 3 }

let peerChain: Block[] // 8 blocks of 2 tx
let ownBranch: Block[] // 2 blocks of our own after peerChain[3]
beforeAll(() => {
  peerChain = corpusChain(8, 2)
  const first = buildNextBlock(peerChain[3] as Block, corpusTransactions(2, 1_000))
  ownBranch = [first, buildNextBlock(first, corpusTransactions(2, 1_002))]
})

const hashOf = (b: Block): string => toHex(blockHash(b.header))

/** The gateway's side over a validating in-memory chain; records what the session did. */
class FakeHost implements SyncHost {
  readonly state = new ChainState()
  readonly sent: { msg: WireMessage; cls: MessageClass }[] = []
  readonly finishes: { outcome: 'caught-up' | 'failed'; detail: string }[] = []
  /** Block count of each `extend` and `adopt` call. */
  readonly extended: number[] = []
  readonly adopted: number[] = []
  clock = T0
  readonly log = silentLogger()

  constructor(ours: readonly Block[] = []) {
    for (const b of ours) if (this.state.addBlock(b).status !== 'added') throw new Error('bad test chain')
  }

  view(): ChainView {
    return this.state.view()
  }
  chain(): Block[] {
    return this.state.chain()
  }
  send(msg: WireMessage, cls: MessageClass): void {
    this.sent.push({ msg, cls })
  }
  extend(blocks: readonly Block[]): boolean {
    this.extended.push(blocks.length)
    return blocks.every((b) => this.state.addBlock(b).status === 'added')
  }
  adopt(blocks: readonly Block[]): boolean {
    this.adopted.push(blocks.length)
    return this.state.adoptChain(blocks).status === 'adopted'
  }
  finished(outcome: 'caught-up' | 'failed', detail: string): void {
    this.finishes.push({ outcome, detail })
  }
  now(): number {
    return this.clock
  }
  hashes(): string[] {
    return this.state.chain().map(hashOf)
  }
}

/** A sync from a peer holding `chain`, with the peer's answers under the test's control. */
function setup(chain: readonly Block[], ours: readonly Block[] = [], options: SyncOptions = SMALL) {
  const host = new FakeHost(ours)
  const session = new SyncSession('gw-b', host, options)
  const peer = chainViewOf(chain)
  let served = 0
  let bodiesAnswered = 0
  let maxOutstanding = 0
  const answerOf = (msg: WireMessage): WireMessage => {
    if (msg.type === 'getheaders') return answerGetHeaders(peer, msg)
    if (msg.type === 'getbodies') return answerGetBodies(peer, msg)
    throw new Error(`unexpected request ${msg.type}`)
  }
  const give = async (answer: WireMessage): Promise<void> => {
    if (answer.type === 'headers') await session.onHeaders(answer)
    else if (answer.type === 'bodies') session.onBodies(answer)
    else if (answer.type === 'notfound') session.onNotFound(answer)
  }
  return {
    host,
    session,
    start: () => session.start({ height: chain.length, tip: blockHash((chain.at(-1) as Block).header) }),
    answerOf,
    give,
    /** Answers every request not answered yet, in the order sent, until none is left. */
    serve: async (): Promise<void> => {
      while (served < host.sent.length) {
        const { msg } = host.sent[served++] as { msg: WireMessage }
        if (msg.type === 'getbodies') {
          maxOutstanding = Math.max(maxOutstanding, host.sent.filter((x) => x.msg.type === 'getbodies').length - bodiesAnswered)
          bodiesAnswered++
        }
        await give(answerOf(msg))
      }
    },
    /** Most body requests asked and not yet answered at once, as seen by `serve`. */
    maxOutstanding: () => maxOutstanding,
  }
}

const types = (host: FakeHost): string[] => host.sent.map((s) => s.msg.type)

describe('SyncSession', () => {
  it('catches up in several header rounds and body runs, extending our chain in order', async () => {
    const s = setup(peerChain)
    expect(s.start()).toBe(true)
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
    // rounds of 3, 3 and 2 headers; runs of at most 2 blocks (283 bytes each, 600 per run)
    expect(types(s.host)).toEqual(['getheaders', 'getbodies', 'getbodies', 'getheaders', 'getbodies', 'getbodies', 'getheaders', 'getbodies'])
    expect(s.host.extended).toEqual([2, 1, 2, 1, 2])
    expect(s.host.sent.every((x) => x.cls === 'control')).toBe(true)
    expect(s.host.finishes).toEqual([{ outcome: 'caught-up', detail: 'synced' }])
    expect(s.session.running).toBe(false)
    expect(s.session.progress()).toEqual({ done: 8, total: 8 })
  })

  it('reports the end once when the last full headers answer reaches the peer tip', async () => {
    const s = setup(peerChain.slice(0, 6)) // two full rounds of 3
    s.start()
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.slice(0, 6).map(hashOf))
    expect(s.host.finishes).toHaveLength(1)
    expect(s.host.finishes[0]?.outcome).toBe('caught-up')
  })

  it('has nothing to do when our chain already holds the peer tip', () => {
    const s = setup(peerChain.slice(0, 3), peerChain.slice(0, 3))
    expect(s.start()).toBe(false)
    expect(s.host.sent).toEqual([])
    expect(s.host.finishes).toEqual([])
  })

  it('keeps at most `pipeline` body runs in flight', async () => {
    const s = setup(peerChain, [], { ...SMALL, maxHeaders: 8, batchBytes: 300, pipeline: 3 }) // 8 runs of 1 block
    s.start()
    await s.give(s.answerOf(s.host.sent[0]?.msg as WireMessage))
    expect(types(s.host)).toEqual(['getheaders', 'getbodies', 'getbodies', 'getbodies'])
    await s.serve()
    expect(s.maxOutstanding()).toBe(3)
    expect(s.host.hashes()).toHaveLength(8)
  })

  it('applies runs answered out of order strictly in order', async () => {
    const s = setup(peerChain, [], { ...SMALL, maxHeaders: 8, batchBytes: 300, pipeline: 3 })
    s.start()
    await s.give(s.answerOf(s.host.sent[0]?.msg as WireMessage))
    const [r1, r2, r3] = s.host.sent.slice(1).map((x) => s.answerOf(x.msg))
    await s.give(r3 as WireMessage)
    await s.give(r2 as WireMessage)
    expect(s.host.state.tip().height).toBe(0) // run 3 and 2 wait for run 1
    expect(s.host.extended).toEqual([])
    expect(s.host.sent).toHaveLength(6) // in flight again: run 1 and two more
    await s.give(r1 as WireMessage)
    expect(s.host.hashes()).toEqual(peerChain.slice(0, 3).map(hashOf))
    expect(s.host.extended).toEqual([1, 1, 1])
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
  })

  it('sends a request again when it times out and completes with the late answer', async () => {
    const s = setup(peerChain)
    s.start()
    s.host.clock += TIMEOUT + 1
    s.session.tick()
    expect(types(s.host)).toEqual(['getheaders', 'getheaders'])
    await s.give(s.answerOf(s.host.sent[1]?.msg as WireMessage))
    expect(types(s.host)).toEqual(['getheaders', 'getheaders', 'getbodies', 'getbodies'])
    s.host.clock += TIMEOUT / 2
    s.session.tick()
    expect(s.host.sent).toHaveLength(4) // not due yet
    s.host.clock += TIMEOUT
    s.session.tick()
    expect(s.host.sent.slice(4).map((x) => x.msg)).toEqual(s.host.sent.slice(2, 4).map((x) => x.msg))
    s.host.sent.splice(0, 4) // headers answered, the first copies of the runs lost
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
    expect(s.host.finishes).toEqual([{ outcome: 'caught-up', detail: 'synced' }])
  })

  it('gives up after `attempts` sends of a bodies request', async () => {
    const s = setup(peerChain)
    s.start()
    await s.give(s.answerOf(s.host.sent[0]?.msg as WireMessage))
    for (let i = 0; i < 3; i++) {
      s.host.clock += TIMEOUT + 1
      s.session.tick()
    }
    const [run1, run2] = s.host.sent.slice(1, 3).map((x) => x.msg)
    expect(s.host.sent.slice(1).map((x) => x.msg)).toEqual([run1, run2, run1, run2, run1, run2])
    expect(s.host.finishes).toEqual([{ outcome: 'failed', detail: 'no bodies answer' }])
    expect(s.session.running).toBe(false)
  })

  it('gives up after `attempts` sends of a headers request', () => {
    const s = setup(peerChain)
    s.start()
    for (let i = 0; i < 3; i++) {
      s.host.clock += TIMEOUT + 1
      s.session.tick()
    }
    expect(types(s.host)).toEqual(['getheaders', 'getheaders', 'getheaders'])
    expect(s.host.finishes).toEqual([{ outcome: 'failed', detail: 'no headers answer' }])
  })

  it('fails cleanly on a bodies payload that does not decode', async () => {
    const s = setup(peerChain)
    s.start()
    await s.give(s.answerOf(s.host.sent[0]?.msg as WireMessage))
    const run = s.host.sent[1]?.msg as GetBodies
    await s.give({ type: 'bodies', last: run.last, context: 0, payload: Uint8Array.of(1, 2, 3) })
    expect(s.host.finishes).toHaveLength(1)
    expect(s.host.finishes[0]).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/^bodies: bad-payload/) })
    expect(s.host.state.tip().height).toBe(0)
    expect(s.session.running).toBe(false)
    await s.serve() // answers still on their way change nothing
    expect(s.host.state.tip().height).toBe(0)
  })

  it('adopts the longer branch of a peer whose chain diverges from ours', async () => {
    const ours = [...peerChain.slice(0, 4), ...ownBranch] // 6 blocks, ours after block 3
    const s = setup(peerChain, ours)
    s.start()
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
    expect(s.host.adopted).toEqual([7]) // our 4 shared blocks + the first round of 3
    expect(s.host.extended).toEqual([1]) // then the last block follows our new tip
    expect(s.host.finishes).toEqual([{ outcome: 'caught-up', detail: 'synced' }])
  })
})

describe('SyncSession: the first run pushed behind `headers`', () => {
  const PUSH = 600 // bytes: the first 2 blocks of 2 tx (283 bytes each)
  /** The peer's answer to our first `getheaders`, with the bodies it pushes. */
  function pushed(s: ReturnType<typeof setup>, chain: readonly Block[], bytes = PUSH): [Headers, Bodies] {
    const answer = answerGetHeadersPushing(chainViewOf(chain), s.host.sent[0]?.msg as Parameters<typeof answerGetHeaders>[1], bytes)
    if (answer.length !== 2) throw new Error('nothing pushed')
    return answer
  }

  it('takes the pushed run without asking for it, and asks for the rest', async () => {
    const s = setup(peerChain, [], { ...SMALL, maxHeaders: 8, pipeline: 8 })
    s.start()
    const [headers, bodies] = pushed(s, peerChain)
    expect(headers.pushed).toBe(2)
    await s.give(headers)
    expect(types(s.host)).toEqual(['getheaders', 'getbodies', 'getbodies', 'getbodies']) // blocks 3–4, 5–6, 7–8
    expect((s.host.sent[1]?.msg as GetBodies).last).toEqual(blockHash((peerChain[3] as Block).header))
    await s.give(bodies)
    expect(s.host.extended).toEqual([2])
    s.host.sent.splice(0, 1) // the getheaders, answered above
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
    expect(s.host.finishes).toEqual([{ outcome: 'caught-up', detail: 'our chain has the peer tip' }]) // after a full answer of 8
  })

  it('keeps pushed bodies that arrive before their headers are rebuilt (a fast link)', async () => {
    const s = setup(peerChain, [], { ...SMALL, maxHeaders: 8, pipeline: 8 })
    s.start()
    const [headers, bodies] = pushed(s, peerChain, 1_500) // 5 blocks: more than the 4 rebuilt before the first yield
    expect(headers.pushed).toBe(5)
    const rebuilding = s.session.onHeaders(headers) // yields to the event loop after every 4 headers
    s.session.onBodies(bodies)
    expect(types(s.host)).toEqual(['getheaders']) // nothing asked while the pushed run's headers are rebuilt
    expect(s.host.extended).toEqual([])
    await rebuilding
    expect(s.host.extended).toEqual([5])
    expect(types(s.host).filter((t) => t === 'getbodies')).toHaveLength(2) // blocks 6–7 and 8
  })

  it('asks for the pushed run itself when it does not come within the request timeout', async () => {
    const s = setup(peerChain, [], { ...SMALL, maxHeaders: 8, pipeline: 8 })
    s.start()
    const [headers, bodies] = pushed(s, peerChain)
    await s.give(headers)
    expect(types(s.host)).toHaveLength(4)
    s.host.clock += TIMEOUT + 1
    s.session.tick()
    const asked = s.host.sent.slice(4).map((x) => x.msg as GetBodies)
    expect(asked[0]).toEqual({ type: 'getbodies', last: bodies.last, count: 2 }) // the pushed run, now asked
    s.host.sent.splice(0, 1)
    await s.serve()
    expect(s.host.hashes()).toEqual(peerChain.map(hashOf))
  })

  it('a responder with nothing after the fork point pushes nothing', () => {
    const s = setup(peerChain.slice(0, 3), peerChain.slice(0, 3))
    const request = { type: 'getheaders' as const, locator: [blockHash((peerChain[2] as Block).header)], max: 10 }
    expect(answerGetHeadersPushing(chainViewOf(peerChain.slice(0, 3)), request, PUSH)).toEqual([{ type: 'headers', headers: [] }])
    expect(s.host.sent).toEqual([])
  })
})
