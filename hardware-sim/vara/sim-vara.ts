/**
 * A simulated VARA HF / FM modem: VARA's real TCP host interface (command port with CR-terminated
 * lines, data port with raw session bytes, radio.md §3) in front of an ARQ link on the shared RF
 * channel. Production transport code talks to it exactly as to the real modem; only the ports
 * change. It can also misbehave on demand (split lines, go silent, restart, answer WRONG).
 *
 * Deviations to know: VERSION is answered by the `VERSION …` line alone, without an OK, as the real
 * modem does (la5nta/pat#515 log); BUSY ON/OFF is reported only outside a session; FM digipeaters
 * named with VIA are carried in the CONNECTED line but not simulated as extra hops.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { createPrng, type Prng } from '../prng.js'
import type { RfChannel } from '../rf-channel.js'
import { createTimerGroup, type TimerGroup } from '../sim-clock.js'
import { commandVerb, parseVaraCommand, type VaraCommand } from './vara-commands.js'
import { VaraFlavourSchema, type VaraFlavour } from './vara-levels.js'
import { VaraLink } from './vara-link.js'
import type { VaraLinkSettings, VaraLinkState } from './vara-link-types.js'
import { openCommandPort, openDataPort, type CommandPort, type DataPort } from './vara-ports.js'

/** Options of {@link startSimVara} (besides the channel). */
export const SimVaraOptionsSchema = z.object({
  flavour: VaraFlavourSchema.default('hf'),
  host: z.string().default('127.0.0.1'),
  /** Command port; 0 picks a free one (tests). */
  cmdPort: z.number().int().min(0).max(65535).default(8300),
  /** Data port; defaults to cmdPort + 1 (or 0 when cmdPort is 0). */
  dataPort: z.number().int().min(0).max(65535).optional(),
  /** Station id on the channel; defaults to `vara-<flavour>:<cmdPort>`. */
  name: z.string().min(1).optional(),
  /** Licensed modem: emits REGISTERED after MYCALL and shows LINK REGISTERED to peers. */
  registered: z.boolean().default(true),
  /** Text after `VERSION `; defaults to a version seen in real logs plus "sim". */
  version: z.string().optional(),
  /** Seed of the retry jitter. */
  seed: z.number().int().default(1),
  /** Delay of data-port writes behind command lines, simulated ms (models the two-socket race). */
  dataLagMs: z.number().min(0).default(0),
  /** Gap between the halves of a split line, simulated ms. */
  splitDelayMs: z.number().min(0).default(20),
  /** IAMALIVE period, simulated ms (60 s per the EA5HVK command list). */
  iamAliveMs: z.number().positive().default(60_000),
  connectAttempts: z.number().int().min(1).default(5),
  maxRetries: z.number().int().min(1).default(10),
  idleProbeMs: z.number().positive().default(30_000),
})

/** Input accepted by {@link startSimVara}. */
export type SimVaraOptions = z.input<typeof SimVaraOptionsSchema> & { readonly channel: RfChannel }

/** A running simulated modem. */
export interface SimVara {
  readonly flavour: VaraFlavour
  /** Bound command port. */
  readonly cmdPort: number
  /** Bound data port. */
  readonly dataPort: number
  /** Station id on the channel. */
  readonly stationId: string
  /** State of the ARQ link (idle, calling, answering, connected, closing). */
  linkState(): VaraLinkState
  /** Bytes queued and not yet acknowledged (what BUFFER reports). */
  bufferBytes(): number
  /** Misbehaviour: send each command-port line as two TCP writes. */
  splitLines(on: boolean): void
  /** Misbehaviour: a hung modem; ignores commands and sends nothing (no replies, no IAMALIVE). */
  setSilent(on: boolean): void
  /** Misbehaviour: answer WRONG to every command with this verb (e.g. `CONNECT`). */
  answerWrong(verb: string): void
  /** Sends any line on the command port (MISSING SOUNDCARD, lines of newer VARA versions). */
  emitLine(line: string): void
  /** Misbehaviour: drop both sockets and the session, then listen again on the same ports. */
  restart(): Promise<void>
  /** Stops both servers, drops clients and leaves the channel. */
  close(): Promise<void>
}

const DEFAULT_VERSION: Record<VaraFlavour, string> = { hf: 'VARA HF v4.9.0 sim', fm: 'VARA FM v4.3.8 sim' }

class Modem implements SimVara {
  readonly flavour: VaraFlavour
  cmdPort = 0
  dataPort = 0
  stationId = ''
  private readonly timers: TimerGroup
  private readonly prng: Prng // survives restarts, so a restarted modem does not repeat its session ids
  private settings: VaraLinkSettings
  private link: VaraLink | undefined
  private cmd: CommandPort | undefined
  private data: DataPort | undefined
  private silent = false
  private readonly wrongVerbs = new Set<string>()

  constructor(
    private readonly opts: z.infer<typeof SimVaraOptionsSchema>,
    private readonly channel: RfChannel,
  ) {
    this.flavour = opts.flavour
    this.timers = createTimerGroup(channel.clock)
    this.prng = createPrng(opts.seed)
    this.settings = this.defaults()
  }

  async start(cmdPort: number, dataPort: number): Promise<void> {
    const { host, splitDelayMs } = this.opts
    this.cmd = await openCommandPort({
      host, port: cmdPort, timers: this.timers, splitDelayMs,
      onLine: (l) => this.onLine(l),
      onOverlong: () => this.send('WRONG'),
    })
    try {
      this.data = await openDataPort(host, dataPort, (bytes) => this.link?.enqueue(bytes))
    } catch (e) {
      await this.cmd.close() // do not leak the command port when the data port is taken
      throw e
    }
    this.cmdPort = this.cmd.port
    this.dataPort = this.data.port
    this.stationId ||= this.opts.name ?? `vara-${this.flavour}:${this.cmdPort}`
    const { connectAttempts, maxRetries, idleProbeMs } = this.opts
    this.link = new VaraLink({
      channel: this.channel,
      stationId: this.stationId,
      flavour: this.flavour,
      settings: () => this.settings,
      limits: { connectAttempts, maxRetries, idleProbeMs },
      prng: this.prng,
      emit: (line) => this.send(line),
      deliver: (bytes) => this.deliver(bytes),
    })
    this.scheduleIamAlive()
  }

  linkState(): VaraLinkState {
    return this.link?.linkState ?? 'idle'
  }

  bufferBytes(): number {
    return this.link?.bufferBytes() ?? 0
  }

  splitLines(on: boolean): void {
    if (this.cmd !== undefined) this.cmd.splitLines = on
  }

  setSilent(on: boolean): void {
    this.silent = on
  }

  answerWrong(verb: string): void {
    this.wrongVerbs.add(verb.toUpperCase())
  }

  emitLine(line: string): void {
    this.send(line)
  }

  async restart(): Promise<void> {
    await this.stop()
    this.settings = this.defaults()
    this.silent = false
    this.wrongVerbs.clear()
    await this.start(this.cmdPort, this.dataPort)
  }

  async close(): Promise<void> {
    await this.stop()
  }

  private async stop(): Promise<void> {
    this.timers.cancelAll()
    this.link?.close()
    this.link = undefined
    await Promise.all([this.cmd?.close(), this.data?.close()])
    this.cmd = undefined
    this.data = undefined
  }

  private defaults(): VaraLinkSettings {
    return { myCalls: [], listen: false, chat: false, bandwidth: 2300, p2p: false, registered: this.opts.registered }
  }

  private send(line: string): void {
    if (!this.silent) this.cmd?.send(line)
  }

  private deliver(bytes: Uint8Array): void {
    const copy = bytes.slice()
    if (this.opts.dataLagMs === 0) return this.data?.write(copy)
    this.timers.setTimeout(() => this.data?.write(copy), this.opts.dataLagMs)
  }

  private scheduleIamAlive(): void {
    this.timers.setTimeout(() => {
      this.send('IAMALIVE')
      this.scheduleIamAlive()
    }, this.opts.iamAliveMs)
  }

  private onLine(line: string): void {
    if (this.silent) return
    const parsed = parseVaraCommand(line, this.flavour)
    if (this.wrongVerbs.has(commandVerb(line)) || !parsed.ok) return this.send('WRONG')
    this.execute(parsed.value)
  }

  private execute(c: VaraCommand): void {
    const s = this.settings
    switch (c.verb) {
      case 'MYCALL':
        this.settings = { ...s, myCalls: c.calls }
        this.send('OK')
        if (s.registered) this.send(`REGISTERED ${c.calls[0] ?? ''}`)
        return
      case 'LISTEN':
        this.settings = { ...s, listen: c.on }
        return this.send('OK')
      case 'CHAT': // CHAT ON implies LISTEN ON (EA5HVK command list)
        this.settings = { ...s, chat: c.on, listen: c.on || s.listen }
        return this.send('OK')
      case 'BW':
        this.settings = { ...s, bandwidth: c.hz }
        return this.send('OK')
      case 'SESSION':
        this.settings = { ...s, p2p: c.kind === 'P2P' }
        return this.send('OK')
      case 'PUBLIC':
      case 'CWID':
      case 'COMPRESSION': // accepted and ignored: the simulated link does not compress
        return this.send('OK')
      case 'VERSION':
        return this.send(`VERSION ${this.opts.version ?? DEFAULT_VERSION[this.flavour]}`)
      case 'CONNECT':
        if (this.linkState() !== 'idle') return this.send('WRONG')
        this.send('OK')
        this.link?.connect(c.src, c.dst, c.via)
        return
      case 'DISCONNECT':
        this.send('OK')
        return this.link?.disconnect()
      case 'ABORT':
        this.send('OK')
        return this.link?.abort()
    }
  }
}

/**
 * Starts a simulated VARA modem on `options.channel`.
 *
 * @returns once both ports listen; read the bound ports from the result
 */
export async function startSimVara(options: SimVaraOptions): Promise<SimVara> {
  const { channel, ...rest } = options
  const parsed = SimVaraOptionsSchema.parse(rest)
  const modem = new Modem(parsed, channel)
  const { cmdPort } = parsed
  await modem.start(cmdPort, parsed.dataPort ?? (cmdPort === 0 ? 0 : cmdPort + 1))
  return modem
}
