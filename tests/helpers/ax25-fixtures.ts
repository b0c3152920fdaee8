/**
 * Tiny fixed AX.25 frames (KISS data frame payloads, no FCS) with their decoded form, for the
 * codec tests and for later comparisons against real Direwolf. The hex was derived by hand from
 * the AX.25 v2.2 layout (callsign bytes are ASCII << 1; SSID byte `C 1 1 SSID X`), not produced by
 * our encoder, so the tests that compare against it are independent checks.
 */
import type { Ax25Modulo } from '../../codecs/ax25-control.js'
import type { Ax25Frame } from '../../codecs/ax25.js'

/** One fixed frame. */
export interface Ax25Fixture {
  /** What the frame is, in monitor style. */
  name: string
  /** The AX.25 frame as a TNC would put it in a KISS data frame, lower-case hex. */
  hex: string
  /** The same frame wrapped as a KISS port-0 data frame (leading and trailing FEND). */
  kissHex: string
  /** Modulo to decode with. */
  modulo: Ax25Modulo
  /** The decoded frame. */
  frame: Ax25Frame
}

const N0CALL_1 = { callsign: 'N0CALL', ssid: 1 }
const N0CALL_2 = { callsign: 'N0CALL', ssid: 2 }
/** "N0CALL" shifted left one bit. */
const N0CALL = '9c6086829898'

/** N0CALL-1>N0CALL-2 UI, command, control 03, PID F0, info "hello". */
export const UI_HELLO: Ax25Fixture = {
  name: 'N0CALL-1>N0CALL-2 <UI C> "hello"',
  // dest SSID e4 = C(1) 11 0010 0; src SSID 63 = C(0) 11 0001 X(1)
  hex: `${N0CALL}e4${N0CALL}63` + '03f0' + '68656c6c6f',
  kissHex: `c000${N0CALL}e4${N0CALL}63` + '03f0' + '68656c6c6f' + 'c0',
  modulo: 8,
  frame: {
    kind: 'UI',
    destination: N0CALL_2,
    source: N0CALL_1,
    digipeaters: [],
    commandResponse: 'command',
    pf: false,
    pid: 0xf0,
    info: new TextEncoder().encode('hello'),
  },
}

/** N0CALL-1>N0CALL-2 SABME, command, P=1: control 6F | 10 = 7F, no PID. */
export const SABME: Ax25Fixture = {
  name: 'N0CALL-1>N0CALL-2 <SABME C P>',
  hex: `${N0CALL}e4${N0CALL}63` + '7f',
  kissHex: `c000${N0CALL}e4${N0CALL}63` + '7f' + 'c0',
  modulo: 128,
  frame: {
    kind: 'SABME',
    destination: N0CALL_2,
    source: N0CALL_1,
    digipeaters: [],
    commandResponse: 'command',
    pf: true,
  },
}

/** N0CALL-2>N0CALL-1 RR modulo 128, response, N(R)=5, F=1: control 01 then (5 << 1) | 1 = 0B. */
export const RR_MOD128: Ax25Fixture = {
  name: 'N0CALL-2>N0CALL-1 <RR R F R5> (modulo 128)',
  // dest SSID 62 = C(0) 11 0001 0; src SSID e5 = C(1) 11 0010 X(1)
  hex: `${N0CALL}62${N0CALL}e5` + '010b',
  kissHex: `c000${N0CALL}62${N0CALL}e5` + '010b' + 'c0',
  modulo: 128,
  frame: {
    kind: 'RR',
    modulo: 128,
    destination: N0CALL_1,
    source: N0CALL_2,
    digipeaters: [],
    commandResponse: 'response',
    nr: 5,
    pf: true,
  },
}

/** All fixtures. */
export const ax25Fixtures: readonly Ax25Fixture[] = [UI_HELLO, SABME, RR_MOD128]
