import { connect, type Socket } from 'node:net'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRfChannel, type RfChannel, type RfChannelOptions, type RfFrame } from '../../hardware-sim/rf-channel.js'
import { startSimVara, type SimVara, type SimVaraOptions } from '../../hardware-sim/vara/sim-vara.js'
import { decodeVaraFrame, encodeVaraFrame, type VaraFrame } from '../../hardware-sim/vara/vara-frames.js'
import { levelTable, minSnrDbFor, selectLevel, VARA_TIMING } from '../../hardware-sim/vara/vara-levels.js'

const sockets: Socket[] = []
const sims: SimVara[] = []
const channels: RfChannel[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(sims.splice(0).map((s) => s.close()))
  for (const c of channels.splice(0)) c.close()
  vi.useRealTimers()
})

/** Waits until `test()` holds, re-checking whenever `socket` receives data. */
function until(socket: Socket, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!test()) return
      socket.off('data', check)
      resolve()
    }
    socket.on('data', check)
    setImmediate(check)
  })
}

async function dial(port: number): Promise<Socket> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.once('error', reject)
  })
  sockets.push(socket)
  return socket
}

/** A command-port client recording every line and every raw chunk. */
interface CmdClient {
  readonly socket: Socket
  readonly lines: string[]
  readonly chunks: string[]
  send(...lines: string[]): void
  /** Resolves once `line` has been received `n` times in total. */
  seen(line: string | RegExp, n?: number): Promise<void>
}

async function cmdClient(port: number): Promise<CmdClient> {
  const socket = await dial(port)
  const lines: string[] = []
  const chunks: string[] = []
  let buffer = ''
  socket.on('data', (d: Buffer) => {
    chunks.push(d.toString('latin1'))
    buffer += d.toString('latin1')
    const parts = buffer.split('\r')
    buffer = parts.pop() ?? ''
    lines.push(...parts)
  })
  const matches = (m: string | RegExp, l: string): boolean => (typeof m === 'string' ? l === m : m.test(l))
  const count = (m: string | RegExp): number => lines.filter((l) => matches(m, l)).length
  return {
    socket, lines, chunks,
    send: (...ls) => void socket.write(ls.map((l) => `${l}\r`).join('')),
    seen: (m, n = 1) => until(socket, () => count(m) >= n),
  }
}

/** A data-port client collecting every byte. */
interface DataClient {
  readonly socket: Socket
  received(): Buffer
  bytes(n: number): Promise<void>
}

async function dataClient(port: number): Promise<DataClient> {
  const socket = await dial(port)
  const parts: Buffer[] = []
  let total = 0
  socket.on('data', (d: Buffer) => {
    parts.push(d)
    total += d.length
  })
  return { socket, received: () => Buffer.concat(parts), bytes: (n) => until(socket, () => total >= n) }
}

interface Station {
  readonly sim: SimVara
  readonly cmd: CmdClient
  readonly data: DataClient
}

const QUIET = { cmdPort: 0, iamAliveMs: 3_600_000 } // no IAMALIVE inside a session transcript

async function station(channel: RfChannel, options: Partial<SimVaraOptions> = {}): Promise<Station> {
  const sim = await startSimVara({ ...QUIET, ...options, channel })
  sims.push(sim)
  return { sim, cmd: await cmdClient(sim.cmdPort), data: await dataClient(sim.dataPort) }
}

function channelOf(options: RfChannelOptions): RfChannel {
  const ch = createRfChannel(options)
  channels.push(ch)
  return ch
}

/** A (N0AAA) and B (N0BBB, listening) on one channel. */
async function pair(options: RfChannelOptions, a: Partial<SimVaraOptions> = {}, b: Partial<SimVaraOptions> = {}) {
  const channel = channelOf(options)
  const A = await station(channel, a)
  const B = await station(channel, { ...b, seed: 2 })
  A.cmd.send('MYCALL N0AAA')
  B.cmd.send('MYCALL N0BBB', 'LISTEN ON')
  await Promise.all([A.cmd.seen('REGISTERED N0AAA'), B.cmd.seen('OK', 2)])
  return { channel, A, B }
}

async function connected(A: Station, B: Station, command = 'CONNECT N0AAA N0BBB'): Promise<void> {
  A.cmd.send(command)
  await Promise.all([A.cmd.seen(/^CONNECTED /), B.cmd.seen(/^CONNECTED /), A.cmd.seen('PTT OFF', 2)])
}

const HF_GOOD = { profile: 'hf-good', lossProbability: 0, timeScale: 100 } as const
const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff))

describe('sim-vara: host commands', () => {
  it('answers every HF command with one OK, or WRONG', async () => {
    const { cmd } = await station(channelOf({ timeScale: 100 }))
    cmd.send(
      'MYCALL N0AAA N0AAA-1 N0AAA-T N0AAA-R N0AAA-15', 'MYCALL', 'MYCALL N0AA1 N0AA2 N0AA3 N0AA4 N0AA5 N0AA6',
      'MYCALL X', 'LISTEN ON', 'LISTEN OFF', 'LISTEN MAYBE', 'BW500', 'BW2300', 'BW2750', 'BW1000',
      'CHAT ON', 'CHAT OFF', 'COMPRESSION OFF', 'COMPRESSION TEXT', 'COMPRESSION FILES', 'COMPRESSION ZIP',
      'P2P SESSION', 'WINLINK SESSION', 'PUBLIC ON', 'PUBLIC OFF', 'CWID ON', 'CWID OFF', 'FOO',
      'CONNECT N0AAA N0BBB VIA N0DDD', 'CONNECT N0AAA', 'DISCONNECT', 'ABORT', 'VERSION',
    )
    await cmd.seen(/^VERSION /)
    expect(cmd.lines).toEqual([
      'OK', 'REGISTERED N0AAA', 'WRONG', 'WRONG', 'WRONG', 'OK', 'OK', 'WRONG', 'OK', 'OK', 'OK', 'WRONG',
      'OK', 'OK', 'OK', 'OK', 'OK', 'WRONG', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'WRONG',
      'WRONG', 'WRONG', 'OK', 'OK', 'VERSION VARA HF v4.9.0 sim',
    ])
  })

  it('on FM rejects BWxxxx, accepts CONNECT … via/VIA, and reports its version', async () => {
    const { cmd } = await station(channelOf({ timeScale: 100 }), { flavour: 'fm' })
    cmd.send('BW2300', 'VERSION')
    cmd.send('CONNECT N0AAA N0BBB via N0DDD N0EEE', 'ABORT', 'CONNECT N0AAA N0BBB VIA N0DDD', 'ABORT')
    await cmd.seen('DISCONNECTED', 2)
    expect(cmd.lines.filter((l) => !l.startsWith('PTT'))).toEqual([
      'WRONG', 'VERSION VARA FM v4.3.8 sim', 'OK', 'OK', 'DISCONNECTED', 'OK', 'OK', 'DISCONNECTED',
    ])
    expect(cmd.lines.slice(2, 4)).toEqual(['OK', 'PTT ON']) // CONNECT keys up at once
  })

  it('answers WRONG to an over-long line and keeps going', async () => {
    const { cmd } = await station(channelOf({ timeScale: 100 }))
    cmd.socket.write(`${'X'.repeat(2000)}\rVERSION\r`)
    await cmd.seen(/^VERSION /)
    expect(cmd.lines).toEqual(['WRONG', 'VERSION VARA HF v4.9.0 sim'])
  })

  it('binds free ports when given port 0 and exposes them', async () => {
    const sim = await startSimVara({ channel: channelOf({}), cmdPort: 0, dataPort: 0 })
    sims.push(sim)
    expect(sim.cmdPort).toBeGreaterThan(0)
    expect(sim.dataPort).toBeGreaterThan(0)
    expect(sim.dataPort).not.toBe(sim.cmdPort)
  })
})

describe('sim-vara: a session between two modems', () => {
  it('connect, transfer and disconnect: exact transcripts on both command ports', async () => {
    const { A, B } = await pair(HF_GOOD)
    await connected(A, B)
    A.data.socket.write(pattern(100))
    await Promise.all([A.cmd.seen('BUFFER 0'), B.data.bytes(100), B.cmd.seen('PTT OFF', 2)])
    A.cmd.send('DISCONNECT')
    await Promise.all([A.cmd.seen('DISCONNECTED'), B.cmd.seen('DISCONNECTED')])
    expect(A.cmd.lines).toEqual([
      'OK', 'REGISTERED N0AAA',
      'OK', 'PTT ON', 'PTT OFF', // CONNECT, connect request
      'UNENCRYPTED LINK', 'LINK REGISTERED', 'BITRATE (12)  7050 bps TX', 'CONNECTED N0AAA N0BBB 2300',
      'PTT ON', 'PTT OFF', // ACK of the accept
      'BUFFER 100', 'PTT ON', 'PTT OFF', 'BUFFER 0', // data frame, acked
      'OK', 'PTT ON', 'PTT OFF', 'DISCONNECTED', // DISCONNECT
    ])
    expect(B.cmd.lines).toEqual([
      'OK', 'REGISTERED N0BBB', 'OK',
      'BUSY ON', 'BUSY OFF', 'PENDING', 'PTT ON', 'PTT OFF', // heard the request, accepted
      'UNENCRYPTED LINK', 'LINK REGISTERED', 'BITRATE (12)  7050 bps TX', 'CONNECTED N0AAA N0BBB 2300',
      'PTT ON', 'PTT OFF', // ACK of the data
      'PTT ON', 'PTT OFF', 'DISCONNECTED', // disconnect acknowledged
    ])
    expect(B.data.received()).toEqual(pattern(100))
  })

  it('carries 20 kB at the reported BITRATE (a full data frame per ARQ cycle), BUFFER falling as frames are acked', async () => {
    const { channel, A, B } = await pair({ ...HF_GOOD, timeScale: 200 }) // slack for a busy host: the 20 kB write must reach the modem before its 5th frame
    await connected(A, B)
    // A passive monitor times A's data frames in exact simulated time, whatever the host's load.
    const dataFrames: RfFrame[] = []
    channel.attach({
      id: 'monitor',
      onFrame: (f) => {
        const d = decodeVaraFrame(f.payload)
        if (d.ok && d.value.src === 'N0AAA' && d.value.payload.length > 0) dataFrames.push(f)
      },
    })
    const size = 20_000
    A.data.socket.write(pattern(size))
    await B.data.bytes(size)
    expect(B.data.received()).toEqual(pattern(size))
    const seconds = ((dataFrames.at(-1)?.receivedAtMs ?? 0) - (dataFrames[0]?.startMs ?? 0)) / 1000
    // Model arithmetic: full frames of 7050 bit/s × 4000 ms = 3525 bytes, sent at the physical rate
    // that makes keyup + frame + latency + keyup + 842 ms ACK + latency exactly one 4 s cycle.
    const perFrame = (7050 * VARA_TIMING.winlinkCycleMs) / 8000
    const p = channel.profile
    const turnarounds = 2 * (p.txDelayMs + p.latencyMs)
    const physicalBps = (perFrame * 8000) / (VARA_TIMING.winlinkCycleMs - VARA_TIMING.controlFrameMs - turnarounds)
    expect(physicalBps / 7050).toBeCloseTo(4000 / 3018, 6)
    const full = Math.floor(size / perFrame)
    const lastMs = p.txDelayMs + ((size - full * perFrame) * 8000) / physicalBps + p.latencyMs
    const expectedS = (full * VARA_TIMING.winlinkCycleMs + lastMs) / 1000
    expect(seconds).toBeCloseTo(expectedS, 6) // no loss, so no retries: the timeline is exact
    for (let i = 1; i < full; i++) expect((dataFrames[i]?.startMs ?? 0) - (dataFrames[i - 1]?.startMs ?? 0)).toBeCloseTo(4000, 6)
    const goodput = (size * 8) / seconds
    expect(goodput / 7050).toBeGreaterThan(0.95)
    expect(goodput / 7050).toBeLessThan(1.05)

    await A.cmd.seen('BUFFER 0')
    const buffers = A.cmd.lines.filter((l) => l.startsWith('BUFFER ')).map((l) => Number(l.slice(7)))
    const top = buffers.indexOf(size)
    const falling = buffers.slice(top)
    expect(falling.at(-1)).toBe(0)
    for (let i = 1; i < falling.length; i++) {
      const step = (falling[i - 1] ?? 0) - (falling[i] ?? 0)
      expect(step).toBeGreaterThan(0)
      expect(step).toBeLessThanOrEqual(perFrame)
    }
  })

  it('retransmits frames the channel loses (30 % loss): all bytes arrive, in order', async () => {
    const { channel, A, B } = await pair({ ...HF_GOOD, lossProbability: 0.3, timeScale: 400 })
    await connected(A, B)
    A.data.socket.write(pattern(8000))
    B.data.socket.write(pattern(3000)) // both directions at once
    await Promise.all([B.data.bytes(8000), A.data.bytes(3000)])
    expect(B.data.received()).toEqual(pattern(8000))
    expect(A.data.received()).toEqual(pattern(3000))
    expect(channel.stats().lost).toBeGreaterThan(0)
  })

  it('DISCONNECT waits for the TX buffer to drain; trailing data still arrives after DISCONNECTED', async () => {
    const { A, B } = await pair(HF_GOOD, {}, { dataLagMs: 20_000 })
    await connected(A, B)
    A.data.socket.write(pattern(6000))
    await A.cmd.seen('BUFFER 6000')
    A.cmd.send('DISCONNECT')
    await B.cmd.seen('DISCONNECTED')
    const atDisconnect = B.data.received().length
    await Promise.all([A.cmd.seen('DISCONNECTED'), B.data.bytes(6000)])
    expect(atDisconnect).toBeLessThan(6000) // the data socket lags the command socket
    expect(B.data.received()).toEqual(pattern(6000))
    const tail = A.cmd.lines.slice(A.cmd.lines.lastIndexOf('BUFFER 0'))
    expect(tail).toEqual(['BUFFER 0', 'PTT ON', 'PTT OFF', 'DISCONNECTED'])
  })

  it('ABORT drops the link at once; the peer notices by its retry limit', async () => {
    const { A, B } = await pair(HF_GOOD, {}, { idleProbeMs: 5000, maxRetries: 3 })
    await connected(A, B)
    A.data.socket.write(pattern(20_000))
    await A.cmd.seen(/^BUFFER 1\d{4}$/)
    const before = A.cmd.lines.length
    A.cmd.send('ABORT')
    await A.cmd.seen('DISCONNECTED')
    expect(A.cmd.lines.slice(before).filter((l) => !l.startsWith('PTT'))).toEqual(['OK', 'BUFFER 0', 'DISCONNECTED'])
    expect(A.sim.bufferBytes()).toBe(0)
    await B.cmd.seen('DISCONNECTED')
    expect(B.sim.linkState()).toBe('idle')
  })

  it('fails a connect to a station that is not there, or not listening', async () => {
    const { A, B } = await pair({ ...HF_GOOD, timeScale: 400 }, { connectAttempts: 3 })
    B.cmd.send('LISTEN OFF')
    await B.cmd.seen('OK', 3)
    A.cmd.send('CONNECT N0AAA N0ZZZ')
    await A.cmd.seen('DISCONNECTED')
    expect(A.cmd.lines.slice(2)).toEqual(['OK', ...Array(3).fill(['PTT ON', 'PTT OFF']).flat(), 'DISCONNECTED'])
    A.cmd.send('CONNECT N0AAA N0BBB')
    await A.cmd.seen('DISCONNECTED', 2)
    expect(B.cmd.lines.filter((l) => l.includes('PENDING'))).toEqual(Array(3).fill(['PENDING', 'CANCELPENDING']).flat())
    expect(B.cmd.lines).not.toContainEqual(expect.stringMatching(/^CONNECTED/))
  })

  it('reports BUSY from the channel and still connects while it is busy', async () => {
    const { channel, A, B } = await pair(HF_GOOD)
    channel.interfere(20_000) // simulated ms: 200 ms of wall time at ×100, ample for the client to dial
    await Promise.all([A.cmd.seen('BUSY ON'), B.cmd.seen('BUSY ON')])
    A.cmd.send('CONNECT N0AAA N0BBB')
    await Promise.all([A.cmd.seen(/^CONNECTED /), B.cmd.seen(/^CONNECTED /)])
    // Keyed up into the busy channel anyway (the first request collided): not connecting while BUSY
    // is the client's job; the retry after the other user stops gets through.
    expect(channel.stats().collisions).toBeGreaterThan(0)
    expect(A.cmd.lines.slice(2, 4)).toEqual(['BUSY ON', 'OK'])
  })

  it('follows the SNR with BITRATE, and reports SN with CHAT ON', async () => {
    const { channel, A, B } = await pair(HF_GOOD)
    B.cmd.send('CHAT ON')
    await B.cmd.seen('OK', 3)
    await connected(A, B)
    expect(B.cmd.lines).toContain('SN 15.0')
    channel.setSnr(0)
    A.data.socket.write(pattern(300))
    await B.data.bytes(300)
    const bitrates = A.cmd.lines.filter((l) => l.startsWith('BITRATE'))
    expect(bitrates).toEqual(['BITRATE (12)  7050 bps TX', 'BITRATE (4)  441 bps TX'])
    expect(B.cmd.lines).toContain('SN 0.0')
    expect(A.cmd.lines).not.toContain('SN 0.0') // CHAT is off on A
  })

  it('runs an FM session with digipeaters named in CONNECTED, and shows the peer unregistered', async () => {
    const fm = { flavour: 'fm' } as const
    const { A, B } = await pair({ profile: 'vhf-1200', lossProbability: 0, timeScale: 100 }, fm, { ...fm, registered: false })
    await connected(A, B, 'CONNECT N0AAA N0BBB VIA N0DDD')
    expect(B.cmd.lines.slice(-2)).toEqual(['BITRATE (9)  9567 bps TX', 'CONNECTED N0AAA N0BBB VIA N0DDD'])
    expect(A.cmd.lines).toContain('LINK UNREGISTERED')
    expect(B.cmd.lines).toContain('LINK REGISTERED')
    expect(B.cmd.lines.filter((l) => l.startsWith('REGISTERED'))).toEqual([]) // an unlicensed modem
    A.data.socket.write(pattern(2000))
    await B.data.bytes(2000)
    expect(B.data.received()).toEqual(pattern(2000))
  })
})

describe('sim-vara: liveness and misbehaviour', () => {
  it('sends IAMALIVE every 60 s of simulated time (fake timers), and not while silent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const sim = await startSimVara({ channel: channelOf({}), cmdPort: 0 })
    sims.push(sim)
    const cmd = await cmdClient(sim.cmdPort)
    const barrier = async (n: number): Promise<void> => {
      cmd.send('VERSION')
      await cmd.seen(/^VERSION/, n)
    }
    vi.advanceTimersByTime(59_999)
    await barrier(1)
    expect(cmd.lines).not.toContain('IAMALIVE')
    vi.advanceTimersByTime(1)
    await barrier(2)
    vi.advanceTimersByTime(60_000)
    await barrier(3)
    expect(cmd.lines.filter((l) => l === 'IAMALIVE')).toHaveLength(2)
    expect(cmd.lines.slice(0, 3)).toEqual(['VERSION VARA HF v4.9.0 sim', 'IAMALIVE', 'VERSION VARA HF v4.9.0 sim'])
    sim.setSilent(true)
    vi.advanceTimersByTime(180_000)
    sim.setSilent(false)
    await barrier(4)
    expect(cmd.lines.filter((l) => l === 'IAMALIVE')).toHaveLength(2)
  })

  it('splits a line across two TCP writes on demand', async () => {
    const sim = await startSimVara({ channel: channelOf({}), cmdPort: 0, splitDelayMs: 30 })
    sims.push(sim)
    const cmd = await cmdClient(sim.cmdPort)
    sim.splitLines(true)
    cmd.send('VERSION', 'PUBLIC ON')
    await cmd.seen('OK')
    expect(cmd.lines).toEqual(['VERSION VARA HF v4.9.0 sim', 'OK'])
    expect(cmd.chunks[0]).toBe('VERSION VARA H') // first half of the 27-byte line
  })

  it('goes silent (ignores commands) and comes back', async () => {
    const sim = await startSimVara({ channel: channelOf({}), cmdPort: 0 })
    sims.push(sim)
    const cmd = await cmdClient(sim.cmdPort)
    sim.setSilent(true)
    cmd.send('VERSION')
    await new Promise((r) => setTimeout(r, 50))
    sim.setSilent(false)
    cmd.send('CWID ON')
    await cmd.seen('OK')
    expect(cmd.lines).toEqual(['OK'])
  })

  it('answers WRONG to a chosen command', async () => {
    const { A } = await pair(HF_GOOD)
    A.sim.answerWrong('connect')
    A.cmd.send('CONNECT N0AAA N0BBB', 'PUBLIC ON')
    await A.cmd.seen('OK', 2)
    expect(A.cmd.lines.slice(2)).toEqual(['WRONG', 'OK'])
  })

  it('emits any line on demand (MISSING SOUNDCARD)', async () => {
    const sim = await startSimVara({ channel: channelOf({}), cmdPort: 0 })
    sims.push(sim)
    const cmd = await cmdClient(sim.cmdPort)
    sim.emitLine('MISSING SOUNDCARD')
    await cmd.seen('MISSING SOUNDCARD')
    expect(cmd.lines).toEqual(['MISSING SOUNDCARD'])
  })

  it('a new call from the peer of a session it still holds ends that stale session first', async () => {
    const { A, B } = await pair(HF_GOOD, {}, { idleProbeMs: 600_000 })
    await connected(A, B)
    A.data.socket.write(pattern(500))
    await B.data.bytes(500)
    await A.sim.restart() // B does not notice: it has nothing to send and polls rarely
    const cmd = await cmdClient(A.sim.cmdPort)
    const data = await dataClient(A.sim.dataPort)
    cmd.send('MYCALL N0AAA', 'CONNECT N0AAA N0BBB')
    await Promise.all([cmd.seen(/^CONNECTED /), B.cmd.seen(/^CONNECTED /, 2)])
    const sessionLines = B.cmd.lines.filter((l) => /^(CONNECTED|DISCONNECTED)/.test(l))
    expect(sessionLines).toEqual(['CONNECTED N0AAA N0BBB 2300', 'DISCONNECTED', 'CONNECTED N0AAA N0BBB 2300'])
    data.socket.write(pattern(300)) // the new session's stream starts at offset 0 on both sides
    await B.data.bytes(800)
    expect(B.data.received().subarray(500)).toEqual(pattern(300))
  })

  it('restarts: drops both sockets and the session, then listens on the same ports again', async () => {
    const { A, B } = await pair(HF_GOOD, {}, { idleProbeMs: 5000, maxRetries: 2 })
    await connected(A, B)
    const ports = [A.sim.cmdPort, A.sim.dataPort]
    const closed = Promise.all([A.cmd.socket, A.data.socket].map((s) => new Promise((r) => s.once('close', r))))
    await A.sim.restart()
    await closed
    expect([A.sim.cmdPort, A.sim.dataPort]).toEqual(ports)
    expect(A.sim.linkState()).toBe('idle')
    const cmd = await cmdClient(A.sim.cmdPort)
    cmd.send('MYCALL N0AAA')
    await cmd.seen('REGISTERED N0AAA')
    await B.cmd.seen('DISCONNECTED') // the peer loses the link
  })
})

describe('sim-vara: building blocks', () => {
  it('picks the fastest level the SNR allows', () => {
    const hf = levelTable('hf', 2300)
    expect(selectLevel(hf, 15)).toMatchObject({ level: 12, bitrateBps: 7050 })
    expect(selectLevel(hf, 0)).toMatchObject({ level: 4, bitrateBps: 441 })
    expect(selectLevel(hf, -30)).toMatchObject({ level: 1, bitrateBps: 50 })
    expect(levelTable('hf', 500).at(-1)?.bitrateBps).toBe(1543)
    expect(levelTable('fm', 2300).map((l) => l.bitrateBps)).toContain(9567)
    expect(minSnrDbFor(100)).toBe(-7)
  })

  it('round-trips air frames and rejects garbage without throwing', () => {
    const frame: VaraFrame = {
      kind: 'data', src: 'N0AAA', dst: 'N0BBB-1', via: ['N0DDD'], bw: 2300, seq: 5, ack: 9,
      needsReply: true, registered: false, payload: new Uint8Array([1, 2, 10, 13]),
    }
    const decoded = decodeVaraFrame(encodeVaraFrame(frame))
    expect(decoded.ok && decoded.value).toEqual(frame)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeVaraFrame(bytes)
        if (!r.ok) expect(r.error.code).toMatch(/^ERR_/)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})
