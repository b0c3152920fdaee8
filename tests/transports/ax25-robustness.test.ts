/**
 * Serial robustness of the AX.25 transport against a scripted TNC on an in-memory port (real
 * timers, short timeouts): partial frames left in the buffer, noise, a TNC that never answers or
 * stops reading, and a device that is unplugged and comes back under the supervisor.
 */
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeAx25Frame, type Ax25Frame } from '../../codecs/ax25.js'
import { KissDecoder } from '../../codecs/kiss-decoder.js'
import { encodeKissFrame, type KissFrame } from '../../codecs/kiss.js'
import { Supervisor } from '../../gateway/supervisor.js'
import { Ax25Transport } from '../../transports/ax25/ax25-transport.js'
import { encodeArqFrame } from '../../transports/ax25/arq-frames.js'
import type { Ax25TransportOptions } from '../../transports/ax25/config.js'
import type { KissPort, KissPortEvents } from '../../transports/ax25/kiss-port.js'
import { createMemoryKissPort } from '../../transports/ax25/memory-kiss-port.js'
import { isTransportError } from '../../transports/errors.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

const BASE: Ax25TransportOptions = {
  callsign: 'N0AAA-1',
  tnc: { type: 'tcp' },
  interByteTimeoutMs: 50,
  txbufTimeoutMs: 100,
  writeTimeoutMs: 200,
  bitrateBps: 1_000_000, // airtime estimates of microseconds: the scripted TNC "sends" at once
  kiss: { txDelayMs: 0, txTailMs: 0 },
  arq: { retries: 2, t1InitialMs: 50, t1MinMs: 20, t1MaxMs: 100 },
}

/** A TNC that records the KISS frames the host writes and sends what the test tells it to. */
function scriptedTnc(name = 'scripted') {
  const { device, open } = createMemoryKissPort(name)
  const frames: KissFrame[] = []
  const decoder = new KissDecoder()
  device.onData((bytes) => {
    for (const e of decoder.push(bytes)) if (e.type === 'frame') frames.push(e.frame)
  })
  return { device, open, frames }
}

/** A UI broadcast datagram from N0BBB-2 to the group, carrying `payload` in one fragment. */
function broadcastFrom(payload: number[]): Uint8Array {
  const fragment = Uint8Array.from([0x00, 0x00, ...payload, ...crc(payload)])
  const frame: Ax25Frame = {
    kind: 'UI', destination: { callsign: 'BUNKER', ssid: 0 }, source: { callsign: 'N0BBB', ssid: 2 }, digipeaters: [],
    commandResponse: 'command', pf: false, pid: 0xf0, info: encodeArqFrame({ type: 'datagram', fragment }),
  }
  return encodeKissFrame({ port: 0, command: 0, data: encodeAx25Frame(frame) })
}

function crc(bytes: number[]): number[] {
  let c = 0xffffffff
  for (const b of bytes) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  c = (c ^ 0xffffffff) >>> 0
  return [c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]
}

let transport: Ax25Transport | undefined
let supervisor: Supervisor | undefined
afterEach(async () => {
  await supervisor?.stop()
  await transport?.stop()
  supervisor = undefined
  transport = undefined
})

describe('AX.25 transport: serial robustness', () => {
  it('writes the KISS parameters on link up, and does not need TXBUF answered', async () => {
    const tnc = scriptedTnc()
    transport = new Ax25Transport({ ...BASE, kiss: { txDelayMs: 400, persistence: 31, slotTimeMs: 200, txTailMs: 50 } }, { openPort: tnc.open })
    await transport.start()
    const commands = tnc.frames.map((f) => [f.command, f.data[0]])
    expect(commands.slice(0, 5)).toEqual([[1, 40], [2, 31], [3, 20], [4, 5], [5, 0]])
    expect(Buffer.from(tnc.frames[5]?.data ?? []).toString()).toBe('TXBUF:')
    expect(transport.state).toBe('up')
  })

  it('drops a partial frame left in the port buffer, then decodes the next frame', async () => {
    const tnc = scriptedTnc()
    transport = new Ax25Transport(BASE, { openPort: tnc.open })
    const got: InboundFrame[] = []
    transport.on('frame', (f) => got.push(f))
    await transport.start()
    const good = broadcastFrom([1, 2, 3])
    tnc.device.write(good.subarray(0, 20)) // a frame cut off: its closing FEND never comes
    await new Promise((r) => setTimeout(r, 120)) // longer than interByteTimeoutMs
    tnc.device.write(broadcastFrom([4, 5, 6]))
    await waitFor(() => got.length > 0, 2_000, 'the frame after the partial one')
    expect([...(got[0]?.payload ?? [])]).toEqual([4, 5, 6])
    expect(got[0]?.from).toBe('N0BBB-2')
    expect(transport.stats().kissErrors).toBe(1)
  })

  it('ignores TNC chatter and frames that are not AX.25, and stays up', async () => {
    const tnc = scriptedTnc()
    const logs = captureLog()
    transport = new Ax25Transport(BASE, { openPort: tnc.open, log: logs.log })
    const got: InboundFrame[] = []
    transport.on('frame', (f) => got.push(f))
    await transport.start()
    tnc.device.write(Buffer.from('\r\ncmd:KISS ON\r\n'))
    tnc.device.write(encodeKissFrame({ port: 0, command: 0, data: Uint8Array.of(1, 2, 3) }))
    tnc.device.write(broadcastFrom([9]))
    await waitFor(() => got.length > 0, 2_000, 'the good frame')
    const stats = transport.stats()
    expect(stats.noiseBytes).toBeGreaterThan(0)
    expect(stats.badFrames).toBe(1)
    expect(transport.state).toBe('up')
    expect(logs.find('outside any KISS frame').length).toBeGreaterThan(0)
  })

  it('hangs nothing when the TNC never answers: broadcasts go, unicast fails, stop returns', async () => {
    const tnc = scriptedTnc()
    const logs = captureLog()
    transport = new Ax25Transport(BASE, { openPort: tnc.open, log: logs.log })
    await transport.start()
    await transport.send(Uint8Array.of(1, 2, 3))
    const e = await transport.send(Uint8Array.of(1), { to: 'N0BBB-2' }).catch((x: unknown) => x)
    expect(isTransportError(e, 'ERR_UNREACHABLE')).toBe(true)
    expect(logs.find('does not answer TXBUF').length).toBe(1)
    expect(transport.stats().tncAnswersTxbuf).toBe(false)
    await transport.stop()
    expect(transport.state).toBe('stopped')
  })

  it('takes the link down when the TNC stops taking data (write deadline)', async () => {
    let stall = false
    const stuck = new EventEmitter<KissPortEvents>() as KissPort & EventEmitter<KissPortEvents>
    Object.assign(stuck, {
      description: 'stuck port',
      write: () => (stall ? new Promise<void>(() => undefined) : Promise.resolve()),
      close: () => Promise.resolve(),
    })
    const states: StateChange[] = []
    transport = new Ax25Transport(BASE, { openPort: () => Promise.resolve(stuck) })
    transport.on('state', (s) => states.push(s))
    await transport.start()
    stall = true
    const e = await transport.send(Uint8Array.of(1)).catch((x: unknown) => x)
    expect(isTransportError(e, 'ERR_DEVICE')).toBe(true)
    expect(states.at(-1)).toMatchObject({ to: 'down', reason: 'device-write-timeout' })

    stall = true
    const again = new Ax25Transport(BASE, { openPort: () => Promise.resolve(stuck) })
    const startError = await again.start().catch((x: unknown) => x)
    expect(isTransportError(startError, 'ERR_DEVICE')).toBe(true) // the KISS parameters could not be written
    expect(again.state).toBe('down')
  })

  it('goes down when unplugged and comes back by itself under the supervisor once the device returns', async () => {
    const tnc = scriptedTnc()
    const logs = captureLog()
    transport = new Ax25Transport(BASE, { openPort: tnc.open })
    const states: StateChange[] = []
    transport.on('state', (s) => states.push(s))
    supervisor = new Supervisor(transport, logs.log, { backoff: { initialMs: 20, maxMs: 40, jitter: 0 } })
    await supervisor.start()
    expect(transport.state).toBe('up')
    tnc.device.present = false
    tnc.device.unplug()
    await waitFor(() => transport?.state === 'down', 1_000, 'down after the unplug')
    expect(states.find((s) => s.to === 'down')).toMatchObject({ reason: 'device-unplugged' })
    await new Promise((r) => setTimeout(r, 100)) // a few failed restarts while the device is gone
    expect(transport.state).not.toBe('up')
    expect(logs.find('will restart').length).toBeGreaterThanOrEqual(2)
    tnc.device.present = true
    await waitFor(() => transport?.state === 'up', 2_000, 'up again')
    const got: InboundFrame[] = []
    transport.on('frame', (f) => got.push(f))
    tnc.device.write(broadcastFrom([7, 7]))
    await waitFor(() => got.length > 0, 2_000, 'a frame after the replug')
  })
})
