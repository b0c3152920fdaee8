import { startVaraPair } from '../../bench/vara-goodput.js'
import { runTransportContract } from './transport-contract.js'

// Two VARA HF transports on two simulated modems sharing one clean HF channel, in simulated time
// at ×50 (the transports run their timeouts on the channel's clock). Device loss is the modem
// program restarting: both of A's sockets drop.
runTransportContract('vara', async () => {
  const pair = await startVaraPair({ channel: { timeScale: 50 } })
  return {
    a: pair.a,
    b: pair.b,
    bAddress: 'N0BBB',
    aAddress: 'N0AAA',
    breakA: () => pair.simA.restart(),
    teardown: () => pair.close(),
  }
})
