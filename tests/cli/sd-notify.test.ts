import { afterEach, describe, expect, it } from 'vitest'
import { SdNotify, watchdogIntervalMs } from '../../gateway/sd-notify.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'
import { startFakeNotifySocket, type FakeNotifySocket } from './fake-notify-socket.js'

/** A notify message's fields, sorted (systemd-notify's order is its own business). */
const fields = (message: string): string[] => message.split('\n').sort()
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('watchdog interval', () => {
  it('is half of WATCHDOG_USEC in ms, for this process only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' }, 42)).toBe(30_000)
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '42' }, 42)).toBe(30_000)
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined()
    expect(watchdogIntervalMs({}, 42)).toBeUndefined()
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined()
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeUndefined()
  })
})

describe('sd_notify outside systemd', () => {
  it('does nothing without NOTIFY_SOCKET: no child is started, nothing is logged', async () => {
    const { log, records } = captureLog()
    const notify = new SdNotify({ env: { WATCHDOG_USEC: '1000' }, log, program: '/nonexistent/systemd-notify' })
    expect(notify.enabled).toBe(false)
    expect(notify.watchdogIntervalMs).toBeUndefined()
    await notify.ready('up')
    notify.startWatchdog()
    await notify.stopping('bye')
    expect(records).toEqual([])
  })

  it('logs once and carries on when systemd-notify cannot be run', async () => {
    const { log, find } = captureLog()
    const notify = new SdNotify({ env: { NOTIFY_SOCKET: '/run/nothing' }, log, program: '/nonexistent/systemd-notify' })
    await notify.ready('up')
    await notify.stopping('bye')
    expect(find('systemd-notify failed')).toHaveLength(1)
  })
})

describe.runIf(requireProgram('systemd-notify', 'systemd') && requireProgram('python3'))('sd_notify through systemd-notify', () => {
  let socket: FakeNotifySocket | undefined
  let notify: SdNotify | undefined
  afterEach(async () => {
    notify?.stopWatchdog()
    await socket?.close()
    socket = undefined
  })

  it('sends READY=1, WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 with status lines', async () => {
    socket = await startFakeNotifySocket()
    const { log, records } = captureLog()
    notify = new SdNotify({ env: { ...process.env, NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '300000', WATCHDOG_PID: String(process.pid) }, log })
    expect(notify.watchdogIntervalMs).toBe(150)
    await notify.ready('N0CALL-10: running with 2 links')
    expect(socket.messages.map(fields)).toEqual([['READY=1', 'STATUS=N0CALL-10: running with 2 links']])
    notify.startWatchdog()
    const messages = socket.messages
    await waitFor(() => messages.filter((m) => m === 'WATCHDOG=1').length >= 2, 5_000, 'two watchdog pings')
    await notify.stopping('stopping, flushing for up to 10000 ms')
    expect(messages.map(fields)).toContainEqual(['STATUS=stopping, flushing for up to 10000 ms', 'STOPPING=1'])
    await sleep(200) // a ping already under way may still land
    const pings = messages.filter((m) => m === 'WATCHDOG=1').length
    await sleep(450) // 3 intervals: no new ping once stopping
    expect(messages.filter((m) => m === 'WATCHDOG=1')).toHaveLength(pings)
    expect(records.filter((r) => r.level >= 40)).toEqual([])
  })
})
