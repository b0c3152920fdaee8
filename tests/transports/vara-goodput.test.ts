import { beforeAll, describe, expect, it } from 'vitest'
import { blockBatches, measureVaraGoodput } from '../../bench/vara-goodput.js'
import { decodeEnvelope } from '../../codecs/envelope.js'
import type { Block } from '../../codecs/model.js'
import { corpusChain } from '../../hardware-sim/corpus.js'

// A 200-block sync (the corpus chain, 5 transactions per block) from one VARA transport to another
// over two simulated modems on a clean channel. Goodput is measured in simulated time (see
// bench/vara-goodput.ts): envelope bits ÷ (first data frame keyed → last acknowledgement back).

let chain: Block[]

beforeAll(() => {
  chain = corpusChain(200, 5) // one VDF per block: built once for the file
}, 60_000)

describe('VARA goodput: a 200-block sync', () => {
  it('cuts the chain into envelopes that fit the MTU and decode back to the same blocks', () => {
    const batches = blockBatches(chain, 4096)
    expect(batches.every((b) => b.length <= 4096)).toBe(true)
    const blocks = batches.flatMap((b) => {
      const d = decodeEnvelope(b)
      return d.ok && d.value.type === 'blocks' ? d.value.blocks : []
    })
    expect(blocks).toHaveLength(200)
    expect(blocks).toEqual(chain)
  })

  it('moves it over VARA HF at ≥ 95 % of the BITRATE the modems report', async () => {
    const r = await measureVaraGoodput(chain, { flavour: 'hf', channel: { timeScale: 200 } })
    expect(r.intact).toBe(true)
    expect(r.blocks).toBe(200)
    expect(r.reportedBitrateBps).toBe(7050)
    expect(r.ratio).toBeGreaterThanOrEqual(0.95)
    expect(r.ratio).toBeLessThanOrEqual(1) // nothing beats the net rate: the sim is honest
    expect(r.sessionGoodputBps).toBeLessThan(r.transferGoodputBps) // the connect costs airtime too
  })

  it('moves it over VARA FM at ≥ 95 % of the BITRATE the modems report', async () => {
    const r = await measureVaraGoodput(chain, { flavour: 'fm', channel: { timeScale: 200 } })
    expect(r.intact).toBe(true)
    expect(r.reportedBitrateBps).toBe(9567)
    expect(r.ratio).toBeGreaterThanOrEqual(0.95)
    expect(r.ratio).toBeLessThanOrEqual(1)
  })
})
