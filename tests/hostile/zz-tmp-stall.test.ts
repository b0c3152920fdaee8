import { it, expect } from 'vitest'
import { corpusChain } from '../../hardware-sim/corpus.js'
import { until } from '../helpers/gateway-net.js'
import { CALL, helloClaiming, hostileRadioNet } from './radio-fixtures.js'
it('stall probe', async () => {
  const r = await hostileRadioNet()
  try {
    const evil = await r.hostile(CALL.evil)
    await evil.send(helloClaiming(CALL.evil, 1_000_000_000))
    await until('asked', () => evil.heard.some((m) => m.type === 'getheaders'))
    expect(r.nodeB.state.adoptChain(corpusChain(5, 1)).status).toBe('adopted')
    r.nodeB.mine()
    const t0 = Date.now()
    let caught = false
    try { await until('A catches up with B', () => r.gwA.state.tip().height === 6, 20_000); caught = true } catch {}
    console.log('caught up:', caught, 'after', Date.now() - t0, 'ms; A height', r.gwA.state.tip().height, 'syncing', r.gwA.protocol.syncing())
  } finally { await r.close() }
}, 60_000)
