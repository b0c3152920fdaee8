import { CALL_A, CALL_B, startJs8Pair } from '../transports/js8call-fixture.js'
import { runTransportContract } from './transport-contract.js'

// Two JS8Call transports on two simulated JS8Calls (Turbo, clean HF channel) in simulated time at
// ×200. Device loss is JS8Call quitting: its API socket closes. The MTU is kept small so one
// transmission carries it: the contract checks the plumbing; the ARQ has its own tests.
runTransportContract(
  'js8call',
  async () => {
    const pair = await startJs8Pair({ transport: { mtu: 48 } })
    return {
      a: pair.a,
      b: pair.b,
      bAddress: CALL_B,
      aAddress: CALL_A,
      breakA: () => pair.simA.close(),
      teardown: () => pair.close(),
    }
  },
  { frameTimeoutMs: 15_000 },
)
