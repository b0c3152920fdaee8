import { describe, expect, it } from 'vitest'
import { syncFromScratch } from '../../bench/sync-exchange.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import { corpusChain } from '../../hardware-sim/corpus.js'

// The corpus chain of buildCorpus(): 100 blocks of 5 transactions (100 VDFs to build, most of this file's time).
const chain = corpusChain(100, 5)

describe('incremental sync size', () => {
  it('syncs the 100-block corpus chain from scratch in at most 15 % of its NDJSON size', () => {
    const ndjson = Buffer.byteLength(encodeP2PMessage({ type: 'Chain', blocks: chain })) + 1
    const { bytes, messages, totalBytes, received } = syncFromScratch(chain)
    expect(received).toEqual(chain)
    // measured: 46 321 of 313 535 bytes = 14.77 %: getheaders 6, headers 3 482 (100 headers, 99 linked,
    // the first 46 blocks' bodies pushed behind them), getbodies 114 (the 3 later runs), bodies 42 567,
    // ack 152 (one per run). What no encoding removes: 500
    // signatures (32 000), 200 distinct keys (6 400), 100 merkle roots (3 200) = 13.3 %. Whole-chain
    // `blocks` deflated: 59 876 (19.1 %).
    expect(totalBytes / ndjson).toBeLessThanOrEqual(0.15)
    expect(Object.keys(bytes).sort()).toEqual(['ack', 'bodies', 'getbodies', 'getheaders', 'headers'])
    expect(messages).toMatchObject({ getheaders: 1, headers: 1, getbodies: 3, bodies: 4, ack: 4 })
  })

  it('sends no ack where the link acknowledges on its own, and no getbodies when the pushed run holds every block', () => {
    const { bytes, received } = syncFromScratch(chain.slice(0, 3), { acks: false })
    expect(received).toEqual(chain.slice(0, 3))
    expect(Object.keys(bytes).sort()).toEqual(['bodies', 'getheaders', 'headers'])
  })
})
