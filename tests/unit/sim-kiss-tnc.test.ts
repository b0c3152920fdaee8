import { connect, type Socket } from 'node:net'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeAx25Frame } from '../../codecs/ax25.js'
import { KissDecoder } from '../../codecs/kiss-decoder.js'
import { encodeKissFrame, encodeSetHardware, KissCommand, kissCommand, kissReturn, type KissFrame } from '../../codecs/kiss.js'
import { createRfChannel, type RfChannel, type RfChannelOptions, type RfFrame } from '../../hardware-sim/rf-channel.js'
import { startSimKissTnc, type SimKissTnc, type SimKissTncOptions } from '../../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import { waitFor } from '../helpers/raw-peer.js'

const tncs: SimKissTnc[] = []
const channels: RfChannel[] = []
const sockets: Socket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(tncs.splice(0).map((t) => t.close()))
  for (const c of channels.splice(0)) c.close()
  vi.useRealTimers()
})

/** A 1200-baud channel on fake timers (simulated ms = fake wall ms), no random loss. */
function fakeChannel(options: RfChannelOptions = {}): RfChannel {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  const channel = createRfChannel({ profile: 'vhf-1200', lossProbability: 0, ...options })
  channels.push(channel)
  return channel
}

async function tnc(options: SimKissTncOptions): Promise<SimKissTnc> {
  const t = await startSimKissTnc(options)
  tncs.push(t)
  return t
}

/** An in-process host: what it writes goes to the TNC, what the TNC sends is recorded. */
interface Host {
  write(bytes: Uint8Array | string): void
  raw(): Buffer
  frames(): KissFrame[]
}

function host(t: SimKissTnc): Host {
  const chunks: Buffer[] = []
  const link = t.connectHost((b) => chunks.push(Buffer.from(b)))
  return {
    write: (b) => link.write(typeof b === 'string' ? Buffer.from(b, 'latin1') : b),
    raw: () => Buffer.concat(chunks),
    frames: () => framesIn(Buffer.concat(chunks)),
  }
}

function framesIn(bytes: Uint8Array): KissFrame[] {
  return new KissDecoder().push(bytes).flatMap((e) => (e.type === 'frame' ? [e.frame] : []))
}

/** A station hearing every mode: records the frames on air (start and end in simulated ms). */
function monitor(channel: RfChannel): RfFrame[] {
  const heard: RfFrame[] = []
  channel.attach({ id: 'monitor', onFrame: (f) => heard.push(f) })
  return heard
}

/** AX.25 UI frame N0CALL-1>N0CALL-2, PID F0, the given info field. */
function ui(info: Uint8Array | string): Uint8Array {
  return encodeAx25Frame({
    kind: 'UI', destination: { callsign: 'N0CALL', ssid: 2 }, source: { callsign: 'N0CALL', ssid: 1 },
    digipeaters: [], commandResponse: 'command', pf: false, pid: 0xf0,
    info: typeof info === 'string' ? Buffer.from(info, 'latin1') : info,
  })
}

const data = (frame: Uint8Array, port = 0): Uint8Array => encodeKissFrame({ port, command: KissCommand.Data, data: frame })

/**
 * The Direwolf cost model (radio.md §2.5): a frame of n AX.25 bytes costs (n + 4)·8/bitrate on air
 * (2 FCS bytes + 2 flags; for a UI frame that is "info + 20"), plus one TXDELAY and one TXTAIL per keyup.
 */
function keyupMs(frameBytes: number[], txDelayMs: number, txTailMs: number, bitrate = 1200): number {
  return txDelayMs + frameBytes.reduce((sum, n) => sum + ((n + 4) * 8 * 1000) / bitrate, 0) + txTailMs
}

/** One transmission as heard: simulated ms, frame count. */
interface Keyup {
  startMs: number
  endMs: number
  frames: number
}

/** Groups the monitor's frames into keyups (back to back; the TXTAIL is an empty carrier-only payload). */
function keyups(heard: RfFrame[], from: string): Keyup[] {
  const out: Keyup[] = []
  for (const f of heard.filter((h) => h.from === from)) {
    const frames = f.payload.length > 0 ? 1 : 0
    const last = out[out.length - 1]
    if (last !== undefined && Math.abs(last.endMs - f.startMs) < 1e-6) {
      last.endMs = f.endMs
      last.frames += frames
    } else out.push({ startMs: f.startMs, endMs: f.endMs, frames })
  }
  return out
}

describe('airtime', () => {
  it('a 1200-baud UI frame with 256 info bytes occupies TXDELAY + 1.84 s + TXTAIL, the cost model exactly', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A' })
    const frame = ui(new Uint8Array(256).fill(0x41))
    expect(frame.length).toBe(272) // 16 header bytes + 256 info
    host(a).write(data(frame))
    vi.advanceTimersByTime(20_000)
    const k = keyups(heard, 'A:0')[0]!
    // Direwolf defaults: TXDELAY 30 (300 ms), TXTAIL 10 (100 ms); (256 + 20)·8/1200 = 1.84 s.
    expect(k.endMs - k.startMs).toBeCloseTo(300 + 1840 + 100, 6)
  })

  it('delivers a frame at its closing flag (TXDELAY + frame bits + latency), not after the TXTAIL', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A' })
    const b = await tnc({ channel, name: 'B' })
    const arrivals: number[] = []
    b.connectHost(() => arrivals.push(channel.clock.now()))
    const frame = ui('x'.repeat(100)) // 116 bytes: (116 + 4)·8/1200 = 800 ms
    host(a).write(data(frame))
    vi.advanceTimersByTime(20_000)
    const k = keyups(heard, 'A:0')[0]!
    expect(arrivals).toHaveLength(1)
    expect(arrivals[0]! - k.startMs).toBeCloseTo(300 + 800 + channel.profile.latencyMs, 6)
    expect(k.endMs - k.startMs).toBeCloseTo(300 + 800 + 100, 6)
  })
})

describe('KISS parameters', () => {
  it('sets TXDELAY, P, SLOTTIME, TXtail and FullDuplex from host commands, and the next keyup obeys them', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A' })
    expect(a.params()).toEqual({ txDelay: 30, persistence: 63, slotTime: 10, txTail: 10, fullDuplex: false })
    const h = host(a)
    h.write(Buffer.concat([
      kissCommand(0, KissCommand.TxDelay, 50), kissCommand(0, KissCommand.Persistence, 255),
      kissCommand(0, KissCommand.SlotTime, 7), kissCommand(0, KissCommand.TxTail, 20),
      kissCommand(0, KissCommand.FullDuplex, 0),
    ]))
    expect(a.params()).toEqual({ txDelay: 50, persistence: 255, slotTime: 7, txTail: 20, fullDuplex: false })
    const frame = ui('params')
    h.write(data(frame))
    vi.advanceTimersByTime(10_000)
    const k = keyups(heard, 'A:0')[0]!
    expect(k.startMs).toBeCloseTo(70, 6) // P = 255 always wins the first draw, one 70 ms slot after the write
    expect(k.endMs - k.startMs).toBeCloseTo(keyupMs([frame.length], 500, 200), 6)
    h.write(kissCommand(0, KissCommand.FullDuplex, 9)) // any non-zero byte is "on"
    expect(a.params().fullDuplex).toBe(true)
  })

  it('keeps parameters per port: a command for port 1 changes only the radio on port 1', async () => {
    const channel = fakeChannel()
    const other = createRfChannel({ profile: 'vhf-9600', lossProbability: 0 })
    channels.push(other)
    const heard = monitor(other)
    const a = await tnc({ channel, name: 'A', extraRadios: [{ port: 1, channel: other }] })
    expect(a.stationIds).toEqual(['A:0', 'A:1'])
    const h = host(a)
    h.write(Buffer.concat([kissCommand(1, KissCommand.TxDelay, 5), kissCommand(1, KissCommand.Persistence, 255)]))
    expect(a.params(1)).toMatchObject({ txDelay: 5, persistence: 255 })
    expect(a.params(0)).toMatchObject({ txDelay: 30, persistence: 63 })
    const frame = ui('port one')
    h.write(data(frame, 1))
    vi.advanceTimersByTime(5000)
    const k = keyups(heard, 'A:1')[0]!
    expect(k.endMs - k.startMs).toBeCloseTo(keyupMs([frame.length], 50, 100, 9600), 6)
  })
})

describe('p-persistent CSMA', () => {
  it('keys up on slot boundaries, at least one SLOTTIME after the write, with P(first slot) = (P+1)/256', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A', seed: 42 })
    const h = host(a)
    const slots: number[] = []
    for (let i = 0; i < 200; i++) {
      const writtenAt = channel.clock.now()
      h.write(data(ui(`csma ${i}`)))
      vi.advanceTimersByTime(60_000) // far more than any wait plus airtime
      const start = keyups(heard, 'A:0').at(-1)?.startMs ?? Number.NaN
      slots.push((start - writtenAt) / 100)
    }
    for (const s of slots) {
      expect(s).toBeGreaterThanOrEqual(1)
      expect(Math.abs(s - Math.round(s))).toBeLessThan(1e-6)
    }
    // Geometric with p = 64/256: mean 4 slots, a quarter of keyups in the first slot.
    const mean = slots.reduce((x, y) => x + y, 0) / slots.length
    expect(mean).toBeGreaterThan(3.3)
    expect(mean).toBeLessThan(4.7)
    const first = slots.filter((s) => Math.round(s) === 1).length / slots.length
    expect(first).toBeGreaterThan(0.17)
    expect(first).toBeLessThan(0.33)
  })

  it('waits for a busy channel, and starts over when the channel went busy during the slot', async () => {
    const channel = fakeChannel({ busySchedule: [{ atMs: 50, durationMs: 100 }] })
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A', params: { persistence: 255 } })
    host(a).write(data(ui('busy')))
    vi.advanceTimersByTime(10_000)
    // Slot ends at 100 while busy (50–150) → wait for clear at 150 → one more slot → keyup at 250.
    expect(keyups(heard, 'A:0')[0]?.startMs).toBeCloseTo(250, 6)
  })

  it('FullDuplex keys up at once, even on a busy channel', async () => {
    const channel = fakeChannel()
    monitor(channel) // a receiver, so the overlap counts as a collision
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    channel.interfere(5000)
    host(a).write(data(ui('full duplex')))
    vi.advanceTimersByTime(1)
    expect(a.stats().keyups).toBe(1)
    vi.advanceTimersByTime(10_000)
    expect(channel.stats().collisions).toBeGreaterThan(0)
  })

  it('discards a frame that found the channel busy for clearChannelTimeoutMs', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A', clearChannelTimeoutMs: 5000 })
    channel.interfere(8000)
    const h = host(a)
    h.write(data(ui('never sent')))
    vi.advanceTimersByTime(4999)
    expect(a.queuedBytes()).toBeGreaterThan(0)
    vi.advanceTimersByTime(2)
    expect(a.stats()).toMatchObject({ discardedBusy: 1, keyups: 0 })
    expect(a.queuedBytes()).toBe(0)
  })
})

describe('bundling', () => {
  it('sends every frame queued at keyup behind one TXDELAY; a frame written while keyed waits for the next keyup', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A', params: { persistence: 255 } })
    const b = await tnc({ channel, name: 'B' })
    const hb = host(b)
    const h = host(a)
    const frames = [ui('one'), ui('two two'), ui('three three three')]
    h.write(Buffer.concat(frames.map((f) => data(f))))
    vi.advanceTimersByTime(200) // keyed at 100 ms, on air until ~900 ms
    const late = ui('late')
    h.write(data(late))
    vi.advanceTimersByTime(10_000)
    const [first, second] = keyups(heard, 'A:0') as [Keyup, Keyup]
    expect(first.frames).toBe(3)
    expect(first.endMs - first.startMs).toBeCloseTo(keyupMs(frames.map((f) => f.length), 300, 100), 6)
    expect(second.frames).toBe(1)
    expect(second.startMs - first.endMs).toBeCloseTo(100, 6) // CSMA again: one slot after unkey
    expect(a.stats()).toMatchObject({ keyups: 2, framesSent: 4, hostFrames: 4 })
    expect(hb.frames().map((f) => Buffer.from(f.data))).toEqual([...frames, late].map((f) => Buffer.from(f)))
  })
})

describe('SetHardware', () => {
  it('answers TXBUF: with the bytes queued and TNC: with the version, to the asking host only', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A', version: 'SIMTNC 9.9' })
    const asker = host(a)
    const bystander = host(a)
    channel.interfere(1000)
    asker.write(Buffer.concat([data(ui('x'.repeat(4))), data(ui('y'.repeat(14))), encodeSetHardware(0, 'TXBUF')]))
    asker.write(encodeSetHardware(0, 'TNC'))
    expect(asker.raw().toString('latin1')).toBe('\xc0\x06TXBUF:50\xc0\xc0\x06SIMTNC 9.9\xc0') // 20 + 30 bytes
    expect(a.queuedBytes()).toBe(50)
    expect(bystander.raw().length).toBe(0)
    vi.advanceTimersByTime(10_000)
    asker.write(encodeSetHardware(0, 'TXBUF'))
    expect(asker.frames().at(-1)).toEqual({ port: 0, command: 6, data: new Uint8Array(Buffer.from('TXBUF:0')) })
  })
})

describe('receiver', () => {
  it('drops frames whose FCS fails after bit errors, and passes the rest byte-exact', async () => {
    const channel = fakeChannel({ bitErrorRate: 1e-3, seed: 7 })
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    const b = await tnc({ channel, name: 'B' })
    const hb = host(b)
    const sent = Array.from({ length: 40 }, (_, i) => ui(`frame ${i} `.padEnd(100, '.')))
    const ha = host(a)
    for (const f of sent) ha.write(data(f))
    vi.advanceTimersByTime(120_000)
    const ch = channel.stats()
    expect(ch.deliveries).toBe(40 + a.stats().keyups) // each keyup's TXTAIL is a carrier-only delivery
    expect(ch.bitErrorFrames).toBeGreaterThan(5) // 960 bits at 1e-3: about 60 % of frames hit
    expect(b.stats().fcsErrors).toBe(ch.bitErrorFrames)
    expect(b.stats().framesReceived).toBe(40 - ch.bitErrorFrames)
    const got = hb.frames()
    expect(got.length).toBe(40 - ch.bitErrorFrames)
    const sentHex = new Set(sent.map((f) => Buffer.from(f).toString('hex')))
    for (const f of got) expect(sentHex.has(Buffer.from(f.data).toString('hex'))).toBe(true)
  })

  it('sends received frames as KISS data frames on the radio\'s port', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    const b = await tnc({ channel, name: 'B', port: 3 })
    const hb = host(b)
    const frame = ui('to port 3')
    host(a).write(data(frame))
    vi.advanceTimersByTime(5000)
    expect(hb.raw()).toEqual(Buffer.from(encodeKissFrame({ port: 3, command: 0, data: frame })))
    expect(hb.raw()[1]).toBe(0x30)
  })

  it('any frames in any chunking arrive at the other host byte-exact and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 15, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
        async (frames, cuts) => {
          const channel = fakeChannel()
          const a = await tnc({ channel, name: 'A' })
          const b = await tnc({ channel, name: 'B' })
          const hb = host(b)
          const ha = host(a)
          const stream = Buffer.concat(frames.map((f) => data(f)))
          let at = 0
          for (const cut of cuts) {
            ha.write(stream.subarray(at, at + cut))
            at = Math.min(stream.length, at + cut)
          }
          ha.write(stream.subarray(at))
          vi.advanceTimersByTime(120_000)
          expect(hb.frames().map((f) => Buffer.from(f.data))).toEqual(frames.map((f) => Buffer.from(f)))
          await Promise.all(tncs.splice(0).map((t) => t.close()))
          channel.close()
        },
      ),
      { seed: 42, numRuns: 25 },
    )
  })
})

describe('host input Direwolf tolerates', () => {
  it('answers init strings with a fake prompt or C0 C0, and still takes the KISS frames after them', async () => {
    const channel = fakeChannel()
    const heard = monitor(channel)
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    const h = host(a)
    h.write('\r\rKISS ON\r')
    h.write('RESTART\r')
    h.write(data(ui('after init')))
    expect(h.raw().toString('latin1')).toBe('\r\ncmd:\r\ncmd:\r\ncmd:\xc0\xc0')
    vi.advanceTimersByTime(5000)
    expect(keyups(heard, 'A:0').map((k) => k.frames)).toEqual([1])
    expect(a.stats().hostNoiseBytes).toBe('\r\rKISS ON\rRESTART\r'.length)
  })

  it('refuses data frames that are too short or for a port without a radio, and ignores Return', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A' })
    const h = host(a)
    h.write(Buffer.concat([data(Uint8Array.of(1, 2, 3)), data(ui('port five'), 5), kissReturn()]))
    h.write(data(ui('still in KISS')))
    expect(a.stats()).toMatchObject({ rejectedFrames: 2, ignoredCommands: 1, hostFrames: 1 })
  })

  it('with leave-kiss, Return drops to a command prompt until KISS ON', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A', returnBehaviour: 'leave-kiss' })
    const h = host(a)
    h.write(kissReturn())
    h.write(data(ui('ignored in command mode')))
    h.write('MYCALL N0CALL\r')
    expect(h.raw().toString('latin1')).toBe('\r\ncmd:')
    expect(a.stats().hostFrames).toBe(0)
    h.write('kiss on\r')
    h.write(data(ui('back in KISS')))
    expect(a.stats().hostFrames).toBe(1)
  })
})

describe('misbehaviour', () => {
  it('a silent TNC ignores the host and sends nothing; noise reaches every host', async () => {
    const channel = fakeChannel()
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    const b = await tnc({ channel, name: 'B' })
    const hb = host(b)
    b.setSilent(true)
    hb.write(encodeSetHardware(0, 'TNC'))
    host(a).write(data(ui('unheard')))
    vi.advanceTimersByTime(5000)
    expect(hb.raw().length).toBe(0)
    expect(b.stats().framesReceived).toBe(1) // the radio still works
    b.setSilent(false)
    b.emitNoise('cmd:')
    expect(hb.raw().toString('latin1')).toBe('cmd:')
  })
})

describe('KISS over TCP', () => {
  /** Connects a client recording everything it receives. */
  async function client(port: number): Promise<{ socket: Socket; got: () => Buffer }> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    sockets.push(socket)
    const chunks: Buffer[] = []
    socket.on('data', (d: Buffer) => chunks.push(d))
    return { socket, got: () => Buffer.concat(chunks) }
  }

  it('serves several clients with their own decoder state; every client gets received frames; extra clients wait', async () => {
    const channel = createRfChannel({ profile: 'vhf-1200', lossProbability: 0, timeScale: 50 })
    channels.push(channel)
    const a = await tnc({ channel, name: 'A', params: { fullDuplex: true } })
    const b = await tnc({ channel, name: 'B', params: { fullDuplex: true }, tcp: { port: 0, maxClients: 2 } })
    const ha = host(a)
    const c1 = await client(b.tcpPort!)
    const c2 = await client(b.tcpPort!)
    const c3 = await client(b.tcpPort!)
    c3.socket.write(encodeSetHardware(0, 'TNC')) // held until c3 is served
    await waitFor(() => b.tcpClientCount() === 2, 5000, 'two served clients')

    // c1's frame arrives in two pieces with c2's whole query in between: separate decoders.
    const fromC1 = data(ui('from client one'))
    c1.socket.write(fromC1.subarray(0, 9))
    c2.socket.write(encodeSetHardware(0, 'TXBUF'))
    await waitFor(() => c2.got().length > 0, 5000, 'the TXBUF answer')
    c1.socket.write(fromC1.subarray(9))
    await waitFor(() => ha.frames().length === 1, 5000, 'the frame at A')
    expect(Buffer.from(ha.frames()[0]!.data)).toEqual(Buffer.from(ui('from client one')))
    expect(c2.got().toString('latin1')).toBe('\xc0\x06TXBUF:0\xc0')

    const toAll = ui('to every client')
    ha.write(data(toAll))
    await waitFor(() => c1.got().length > 0 && c2.got().length > 20, 5000, 'the frame at both clients')
    expect(c1.got()).toEqual(Buffer.from(data(toAll)))
    expect(c3.got().length).toBe(0) // not served yet: Direwolf's client limit

    c1.socket.destroy()
    await waitFor(() => c3.got().length > 0, 5000, 'c3 served, answering its early query')
    expect(c3.got().toString('latin1')).toBe('\xc0\x06SIMTNC 1.0\xc0')
    ha.write(data(ui('now c3 too')))
    await waitFor(() => framesIn(c3.got()).length === 2, 5000, 'the frame at c3')
    expect(Buffer.from(framesIn(c3.got())[1]!.data).toString('latin1').slice(16)).toBe('now c3 too')
  })
})
