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
    // measured: 46 503 of 313 535 bytes = 14.83 %: getheaders 6, headers 3 479 (100 headers, 99 linked),
    // getbodies 190 (5 batches), bodies 42 638, ack 190 (one per batch). What no encoding removes: 500
    // signatures (32 000), 200 distinct keys (6 400), 100 merkle roots (3 200) = 13.3 %. Whole-chain
    // `blocks` deflated: 59 876 (19.1 %).
    expect(totalBytes / ndjson).toBeLessThanOrEqual(0.15)
    expect(Object.keys(bytes).sort()).toEqual(['ack', 'bodies', 'getbodies', 'getheaders', 'headers'])
    expect(messages).toMatchObject({ getheaders: 1, headers: 1, getbodies: 5, bodies: 5, ack: 5 })
  })

  it('sends no ack where the link acknowledges on its own', () => {
    const { bytes, received } = syncFromScratch(chain.slice(0, 3), { acks: false })
    expect(received).toEqual(chain.slice(0, 3))
    expect(Object.keys(bytes).sort()).toEqual(['bodies', 'getbodies', 'getheaders', 'headers'])
  })
})
