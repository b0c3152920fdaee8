import { ax25ContractSetup } from '../helpers/ax25-sim-stations.js'
import { runTransportContract } from './transport-contract.js'

// Two AX.25 transports on two simulated KISS TNCs that serve KISS over TCP (like Direwolf's port
// 8001), sharing a 1200 bit/s channel at 50× real time. Losing the device = the TNC going away.
runTransportContract('ax25 (KISS over TCP)', ax25ContractSetup('tcp'))
