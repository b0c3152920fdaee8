/** Fakes for the JS8Call tests: a tiny scripted JS8Call API server (no radio behind it) and a manual clock. */
import { createServer, type Server, type Socket } from 'node:net'
import type { Clock, ClockTimer } from '../../transports/clock.js'

/** A request as the fake received it. */
export interface FakeRequest {
  type: string
  value: string
  params: Record<string, unknown>
}

/** A scripted JS8Call: records requests, answers with whatever `script` returns (lines to write). */
export class FakeJs8 {
  readonly requests: FakeRequest[] = []
  readonly sockets: Socket[] = []
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(script: (r: FakeRequest) => string[] = () => []): Promise<FakeJs8> {
    let fake: FakeJs8 | undefined
    const server = createServer((socket) => {
      fake?.sockets.push(socket)
      let carry = ''
      socket.on('data', (d) => {
        const lines = (carry + d.toString('utf8')).split('\n')
        carry = lines.pop() ?? ''
        for (const line of lines) {
          const r = JSON.parse(line) as FakeRequest
          fake?.requests.push(r)
          for (const out of script(r)) socket.write(out)
        }
      })
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    fake = new FakeJs8(server, typeof address === 'object' && address !== null ? address.port : 0)
    return fake
  }

  /** Writes raw text to every client. */
  push(text: string): void {
    for (const s of this.sockets) s.write(text)
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** One API line as JS8Call writes it. */
export const js8Line = (type: string, value: string, params: Record<string, unknown>): string => `${JSON.stringify({ params, type, value })}\n`

/** A JS8Call station as far as the transport asks: callsign, grid and speed, changeable by the test. */
export interface FakeStation {
  callsign: string
  grid: string
  speed: number
  /** Answer nothing (a hung JS8Call). */
  silent: boolean
}

/** A script answering STATION.GET_CALLSIGN / GET_GRID and MODE.GET_SPEED from `station`, like JS8Call 2.2. */
export function stationScript(station: FakeStation): (r: FakeRequest) => string[] {
  return (r) => {
    const id = r.params._ID
    if (station.silent) return []
    if (r.type === 'STATION.GET_CALLSIGN') return [js8Line('STATION.CALLSIGN', station.callsign, { _ID: id })]
    if (r.type === 'STATION.GET_GRID') return [js8Line('STATION.GRID', station.grid, { _ID: id })]
    if (r.type === 'MODE.GET_SPEED') return [js8Line('MODE.SPEED', '', { SPEED: station.speed, _ID: id })]
    return []
  }
}

/** A clock that moves only when told; timers run in due order. */
export class ManualClock implements Clock {
  private t = 0
  private timers: { at: number; seq: number; fn: () => void }[] = []
  private seq = 0

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, delayMs: number): ClockTimer {
    const timer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn }
    this.timers.push(timer)
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== timer)) }
  }

  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (next === undefined || next.at > end) break
      this.timers = this.timers.filter((x) => x !== next)
      this.t = next.at
      next.fn()
    }
    this.t = end
  }
}
