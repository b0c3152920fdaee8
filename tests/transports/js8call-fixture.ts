/**
 * Two JS8Call transports on two simulated JS8Calls: the pair lives in hardware-sim/links/js8-pair.ts
 * (the demo builds its JS8Call link there too); tests import it from here.
 */
export { CALL_A, CALL_B, GROUP, startJs8Pair, type Js8Pair, type Js8PairOptions } from '../../hardware-sim/links/js8-pair.js'
