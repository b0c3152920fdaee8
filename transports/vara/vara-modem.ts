/**
 * One attempt to reach and initialise the modem: connect the command port, then the data port,
 * send the initialisation commands in order (each must be OK'd, optional ones may be WRONG), then
 * ask for and log the VERSION. Every failure is a {@link VaraLinkError} with the reason.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'
import type { Logger } from '../../gateway/log.js'
import { abortable } from '../transport-base.js'
import { isTransportError } from '../errors.js'
import { dataPortOf, type VaraOptions } from './config.js'
import type { Clock } from '../clock.js'
import { VaraCommandPort } from './vara-command-port.js'
import { initCommands } from './vara-commands.js'
import { VaraLinkError } from './vara-link-error.js'
import type { VaraMessage } from './vara-messages.js'
import { openSocket } from './vara-socket.js'

/** A connected, initialised modem. */
export interface ModemHandle {
  readonly cmd: VaraCommandPort
  readonly data: Socket
  /** Text of the VERSION reply (e.g. `VARA HF v4.9.0`), if the modem gave one. */
  readonly version: string | undefined
}

/** Collaborators of {@link openModem}. */
export interface OpenModemDeps {
  readonly clock: Clock
  readonly log: Logger
  readonly signal?: AbortSignal
  /** Every message from the modem, from the first line on (REGISTERED comes during initialisation). */
  readonly onMessage: (m: VaraMessage) => void
}

/** Connects both ports and initialises the modem; rejects with a {@link VaraLinkError}. */
export async function openModem(o: VaraOptions, deps: OpenModemDeps): Promise<ModemHandle> {
  const common = { host: o.host, timeoutMs: o.tcpConnectTimeoutMs, clock: deps.clock, ...(deps.signal ? { signal: deps.signal } : {}) }
  const cmd = new VaraCommandPort(await openSocket({ ...common, port: o.cmdPort, what: 'command' }), deps.clock, deps.log, o.commandTimeoutMs)
  cmd.on('message', deps.onMessage)
  let data: Socket | undefined
  try {
    data = await openSocket({ ...common, port: dataPortOf(o), what: 'data' })
    data.on('error', () => undefined) // a reset is reported by the 'close' that follows
    await abortable(initialise(cmd, o, deps.log), deps.signal, 'VARA initialisation')
    const reply = await abortable(cmd.request('VERSION', 'version'), deps.signal, 'VARA VERSION')
    const version = reply?.kind === 'version' ? reply.text : undefined
    deps.log.info({ version: version ?? 'unknown', flavour: o.flavour, callsign: o.callsign }, 'VARA modem ready')
    return { cmd, data, version }
  } catch (e) {
    cmd.close()
    data?.destroy()
    throw asLinkError(e)
  }
}

async function initialise(cmd: VaraCommandPort, o: VaraOptions, log: Logger): Promise<void> {
  for (const c of initCommands(o)) {
    try {
      await cmd.send(c.line)
    } catch (e) {
      if (!isTransportError(e, 'ERR_CONFIG')) throw e
      if (!c.optional) throw new VaraLinkError('init-refused', 'ERR_CONFIG', `${e.message}; check the VARA options`, { cause: e })
      log.warn({ command: c.line }, 'VARA refused an optional command; carrying on without it')
    }
  }
}

function asLinkError(e: unknown): VaraLinkError {
  if (e instanceof VaraLinkError) return e
  if (isTransportError(e)) return new VaraLinkError(e.code === 'ERR_ABORTED' ? 'aborted' : 'init-failed', e.code, e.message, { cause: e })
  return new VaraLinkError('init-failed', 'ERR_DEVICE', `VARA initialisation failed: ${String(e)}`, { cause: e })
}
