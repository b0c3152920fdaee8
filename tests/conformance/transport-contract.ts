/**
 * The one behavioural suite every transport must pass (js-libp2p's compliance tests, meshtastic's
 * runTransportContract). Each transport's `*.contract.test.ts` calls {@link runTransportContract} with
 * a fixture that builds two connected transports over real sockets or simulated devices.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTransportError } from '../../transports/errors.js'
import type { InboundFrame, LinkSample, StateChange, Transport } from '../../transports/types.js'
import { waitFor } from '../helpers/raw-peer.js'

/** Two transports that can reach each other, and how to break one. */
export interface ContractFixture {
  /** Sender under test (not started). */
  a: Transport
  /** Receiver (not started). */
  b: Transport
  /** `to` that makes `a` reach `b`. */
  bAddress: string
  /** What `b` should report as `from` for frames of `a`, when the link tells. */
  aAddress?: string
  /** Makes `a`'s device or connection vanish (unplug, modem crash); omit when not applicable. */
  breakA?: () => Promise<void>
  /** Releases everything the fixture created besides the transports. */
  teardown: () => Promise<void>
}

/** Options of the suite. */
export interface ContractOptions {
  /** Deadline for a frame to cross the link, ms (wall time). */
  frameTimeoutMs?: number
}

/** Registers the contract tests for one transport. */
export function runTransportContract(name: string, setup: () => Promise<ContractFixture>, options: ContractOptions = {}): void {
  const timeout = options.frameTimeoutMs ?? 10_000

  describe(`${name}: transport contract`, () => {
    let fx: ContractFixture
    const states: StateChange[] = []
    const received: InboundFrame[] = []
    const samples: LinkSample[] = []

    beforeEach(async () => {
      states.length = 0
      received.length = 0
      samples.length = 0
      fx = await setup()
      fx.a.on('state', (s) => states.push(s))
      fx.a.on('sample', (s) => samples.push(s))
      fx.b.on('frame', (f) => received.push(f))
    })

    afterEach(async () => {
      await fx.a.stop()
      await fx.b.stop()
      await fx.teardown()
    })

    const startBoth = async (): Promise<void> => {
      await fx.b.start()
      await fx.a.start()
    }

    it('starts: state goes to up with a reason', async () => {
      expect(fx.a.state).toBe('stopped')
      await startBoth()
      expect(fx.a.state).toBe('up')
      expect(states.at(-1)).toMatchObject({ to: 'up' })
      expect(states.every((s) => typeof s.reason === 'string' && s.reason.length > 0)).toBe(true)
    })

    it('delivers a frame of exactly the MTU unchanged, with samples', async () => {
      await startBoth()
      const payload = new Uint8Array(randomBytes(fx.a.capabilities.mtu))
      await fx.a.send(payload, { to: fx.bAddress })
      await waitFor(() => received.length > 0, timeout, 'the frame to arrive')
      expect(Buffer.from(received[0]?.payload ?? []).equals(Buffer.from(payload))).toBe(true)
      if (fx.aAddress !== undefined) expect(received[0]?.from).toBe(fx.aAddress)
      expect(typeof received[0]?.receivedAt).toBe('number')
      await waitFor(() => samples.length > 0, timeout, 'a link sample')
      expect(samples.every((s) => Number.isFinite(s.at))).toBe(true)
    })

    it('rejects a payload one byte over the MTU', async () => {
      await startBoth()
      const err = await fx.a.send(new Uint8Array(fx.a.capabilities.mtu + 1), { to: fx.bAddress }).catch((e: unknown) => e)
      expect(isTransportError(err, 'ERR_MTU_EXCEEDED')).toBe(true)
    })

    it('honours an aborted signal', async () => {
      await startBoth()
      const ac = new AbortController()
      ac.abort()
      const err = await fx.a.send(new Uint8Array(1), { to: fx.bAddress, signal: ac.signal }).catch((e: unknown) => e)
      expect(isTransportError(err, 'ERR_ABORTED')).toBe(true)
    })

    it('stops idempotently, rejects sends after stop, and can start again', async () => {
      await startBoth()
      await fx.a.stop()
      await fx.a.stop()
      expect(fx.a.state).toBe('stopped')
      const err = await fx.a.send(new Uint8Array(1), { to: fx.bAddress }).catch((e: unknown) => e)
      expect(isTransportError(err, 'ERR_NOT_UP')).toBe(true)
      await fx.a.start()
      expect(fx.a.state).toBe('up')
      await fx.a.send(new Uint8Array([1, 2, 3]), { to: fx.bAddress })
      await waitFor(() => received.length > 0, timeout, 'a frame after restart')
    })

    it('reports device loss as down with a reason', async (ctx) => {
      if (fx.breakA === undefined) return ctx.skip()
      await startBoth()
      await fx.breakA()
      await waitFor(() => fx.a.state === 'down', timeout, 'the link to go down')
      const down = states.at(-1)
      expect(down?.to).toBe('down')
      expect(down?.reason).toMatch(/\S/)
    })
  })
}
