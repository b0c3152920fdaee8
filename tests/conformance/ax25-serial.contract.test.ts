import { describe } from 'vitest'
import { ax25ContractSetup } from '../helpers/ax25-sim-stations.js'
import { requireProgram } from '../helpers/require-program.js'
import { runTransportContract } from './transport-contract.js'

// Two AX.25 transports on two simulated KISS TNCs, each on a real serial line (a socat pty pair
// opened with the serialport binding on both ends), sharing a 1200 bit/s channel at 50× real
// time. Losing the device = socat going away under the transport (unplugged).
describe.runIf(requireProgram('socat'))('over socat pty pairs', () => {
  runTransportContract('ax25 (KISS over serial)', ax25ContractSetup('serial'))
})
