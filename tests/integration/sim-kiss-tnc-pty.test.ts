/**
 * Two simulated KISS TNCs on real serial lines: each TNC opens one end of a socat pty pair with the
 * real `serialport` binding, and the test, as the host, opens the other end the same way. Frames
 * cross the simulated 1200-baud channel between them in both directions; then the line is
 * unplugged (socat restarted, or the TNC closing its end) and plugged back in.
 */
import { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeAx25Frame } from '../../codecs/ax25.js'
import { encodeKissFrame, KissCommand } from '../../codecs/kiss.js'
import { openPtyPair, type PtyPair } from '../../hardware-sim/kiss-tnc/pty-pair.js'
import { startSimKissTnc, type SimKissTnc } from '../../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import { createRfChannel, type RfChannel } from '../../hardware-sim/rf-channel.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** The host's end of a line: everything received, and how the port closed. */
interface HostPort {
  readonly port: SerialPort
  got(): Buffer
  /** Set when the port closed under the host: whether serialport called it a disconnect. */
  closedWith(): { disconnected: boolean } | undefined
}

async function openHost(path: string): Promise<HostPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())))
  const chunks: Buffer[] = []
  let closed: { disconnected: boolean } | undefined
  port.on('data', (d: Buffer) => chunks.push(d))
  port.on('error', () => undefined)
  // serialport may emit 'close' twice (plain, then with the error); keep "disconnected" once seen.
  port.on('close', (e?: { disconnected?: boolean }) => {
    closed = { disconnected: closed?.disconnected === true || e?.disconnected === true }
  })
  return { port, got: () => Buffer.concat(chunks), closedWith: () => closed }
}

interface Station {
  readonly pair: PtyPair
  readonly tnc: SimKissTnc
  host: HostPort
}

/** A TNC on the TNC end of a fresh pty pair, with the host end opened. */
async function station(channel: RfChannel, name: string): Promise<Station> {
  const pair = await openPtyPair()
  cleanups.push(() => pair.close())
  const tnc = await startSimKissTnc({ channel, name, serial: { path: pair.pathA, baudRate: 9600 } })
  cleanups.push(() => tnc.close())
  return { pair, tnc, host: await openHost(pair.pathB) }
}

function channel(): RfChannel {
  const c = createRfChannel({ profile: 'vhf-1200', lossProbability: 0, timeScale: 50 })
  cleanups.push(() => c.close())
  return c
}

/** AX.25 UI frame with this info field. */
function ui(from: number, to: number, info: Uint8Array): Uint8Array {
  return encodeAx25Frame({
    kind: 'UI', destination: { callsign: 'N0CALL', ssid: to }, source: { callsign: 'N0CALL', ssid: from },
    digipeaters: [], commandResponse: 'command', pf: false, pid: 0xf0, info,
  })
}

const kiss = (frame: Uint8Array): Buffer => Buffer.from(encodeKissFrame({ port: 0, command: KissCommand.Data, data: frame }))
const write = (host: HostPort, bytes: Uint8Array): void => void host.port.write(Buffer.from(bytes))

describe.runIf(requireProgram('socat'))('simulated KISS TNCs over socat ptys and serialport', () => {
  it('carry a frame with all 256 byte values byte-exact in both directions', async () => {
    const ch = channel()
    const [a, b] = [await station(ch, 'A'), await station(ch, 'B')]
    const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const ab = ui(1, 2, allBytes)
    const ba = ui(2, 1, allBytes.slice().reverse())
    write(a.host, kiss(ab))
    await waitFor(() => b.host.got().length >= kiss(ab).length, 10_000, 'A→B frame')
    expect(b.host.got()).toEqual(kiss(ab)) // FEND, type 0x00, escaped C0/DB, FEND
    write(b.host, kiss(ba))
    await waitFor(() => a.host.got().length >= kiss(ba).length, 10_000, 'B→A frame')
    expect(a.host.got()).toEqual(kiss(ba))
    expect(a.tnc.stats()).toMatchObject({ hostFrames: 1, framesSent: 1, framesReceived: 1, fcsErrors: 0 })
  })

  it('survives an unplug: socat restarted at the same paths, or the TNC closing its end', async () => {
    const ch = channel()
    const [a, b] = [await station(ch, 'A'), await station(ch, 'B')]
    await b.pair.restart() // the device vanishes under both ends
    // On a pty the host notices on its next write (EIO), and serialport closes the port as disconnected.
    write(b.host, kiss(ui(2, 1, Buffer.from('into the void'))))
    await waitFor(() => b.host.closedWith()?.disconnected === true, 5000, 'the host port to close as disconnected')
    await b.tnc.replugSerial()
    b.host = await openHost(b.pair.pathB)
    const first = kiss(ui(1, 2, Buffer.from('after replug')))
    write(a.host, first)
    await waitFor(() => b.host.got().length >= first.length, 10_000, 'a frame after the replug')
    expect(b.host.got()).toEqual(first)

    await b.tnc.unplugSerial() // the TNC's end only: the host's port stays open, nothing arrives
    write(a.host, kiss(ui(1, 2, Buffer.from('lost while unplugged'))))
    await waitFor(() => b.tnc.stats().framesReceived === 2, 10_000, 'the lost frame on air')
    await b.tnc.replugSerial()
    const last = kiss(ui(1, 2, Buffer.from('plugged in again')))
    write(a.host, last)
    await waitFor(() => b.host.got().length >= first.length + last.length, 10_000, 'a frame after the second replug')
    expect(b.host.got()).toEqual(Buffer.concat([first, last]))
  })
})
