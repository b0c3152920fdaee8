/**
 * The ARQ over JS8, on a manual clock: what the receiver answers to each frame, and how the sender
 * waits, retransmits exactly what is missing, polls, gives up, and serves group members.
 */
import { describe, expect, it } from 'vitest'
import { unwrap } from '../../codecs/result.js'
import { isTransportError } from '../../transports/errors.js'
import { AirtimeBudget } from '../../transports/js8call/airtime-budget.js'
import { ArqReceiver } from '../../transports/js8call/arq-receiver.js'
import { ArqSender, type ArqSenderOptions, type SendOutcome } from '../../transports/js8call/arq-sender.js'
import { planFragments } from '../../transports/js8call/fragment-plan.js'
import { parseLinkFrameText, type LinkFrame } from '../../transports/js8call/link-frame.js'
import { TxScheduler } from '../../transports/js8call/tx-scheduler.js'
import { ManualClock } from './js8call-fake.js'

const PERIOD = 15_000 // ms, Normal speed
const plan = (payload: Uint8Array, id: number): LinkFrame[] => unwrap(planFragments(payload, id, 10, 'normal'))
const big = new Uint8Array(150).map((_, i) => (i * 29) & 0xff) // three transmissions
const index = (f: LinkFrame | undefined): string => (f?.kind === 'data' ? `data ${(f.fragment[1] ?? 0) >> 4}` : (f?.kind ?? '-'))

describe('ARQ receiver', () => {
  const receiver = (clock = new ManualClock()): ArqReceiver => new ArqReceiver(clock, { retainMs: 3_600_000 })

  it('acks a whole directed message once delivered, and again (without delivering) for a copy', () => {
    const r = receiver()
    const frame = plan(Uint8Array.of(1, 2), 5)[0]!
    expect(r.receive('K1AAA', true, frame)).toEqual({ deliver: { messageId: 5, payload: Uint8Array.of(1, 2) }, reply: { kind: 'ack', messageIds: [5] } })
    expect(r.receive('K1AAA', true, frame)).toEqual({ reply: { kind: 'ack', messageIds: [5] } })
    expect(r.receive('K2BBB', true, frame).deliver).toBeDefined() // ids are per sender
  })

  it('never acks group messages', () => {
    const r = receiver()
    expect(r.receive('K1AAA', false, plan(Uint8Array.of(1), 0)[0]!)).toEqual({ deliver: { messageId: 0, payload: Uint8Array.of(1) } })
  })

  it('asks for exactly the missing fragments when the last one arrives, then acks the whole', () => {
    const r = receiver()
    const [f0, f1, f2] = plan(big, 3)
    expect(r.receive('K1AAA', true, f0!)).toEqual({})
    expect(r.receive('K1AAA', true, f2!)).toEqual({ reply: { kind: 'nack', messageId: 3, missing: [1] } })
    const done = r.receive('K1AAA', true, f1!)
    expect(done.deliver?.payload).toEqual(big)
    expect(done.reply).toEqual({ kind: 'ack', messageIds: [3] })
    expect(r.receive('K1AAA', true, f2!)).toEqual({ reply: { kind: 'ack', messageIds: [3] } }) // a late copy
  })

  it('answers polls: everything missing when nothing was heard, the gaps of a partial, an ack when complete', () => {
    const r = receiver()
    const [f0, f1, f2] = plan(big, 4)
    expect(r.receive('K1AAA', true, { kind: 'poll', messageId: 4, count: 3 })).toEqual({ reply: { kind: 'nack', messageId: 4, missing: [0, 1, 2] } })
    r.receive('K1AAA', true, f1!)
    expect(r.receive('K1AAA', true, { kind: 'poll', messageId: 4, count: 3 })).toEqual({ reply: { kind: 'nack', messageId: 4, missing: [0, 2] } })
    r.receive('K1AAA', true, f0!)
    r.receive('K1AAA', true, f2!)
    expect(r.receive('K1AAA', true, { kind: 'poll', messageId: 4, count: 3 })).toEqual({ reply: { kind: 'ack', messageIds: [4] } })
    expect(r.receive('K1AAA', false, { kind: 'poll', messageId: 4, count: 3 })).toEqual({}) // polls are directed
  })

  it('refuses a damaged fragment with a typed error', () => {
    expect(receiver().receive('K1AAA', true, { kind: 'data', fragment: Uint8Array.of(0x05, 0xf0, 1) } /* index 15 of 1 */).error?.code).toBe('ERR_FRAGMENT')
  })
})

describe('ARQ sender', () => {
  function setup(o: Partial<ArqSenderOptions> = {}) {
    const clock = new ManualClock()
    const written: { to: string; frame: LinkFrame }[] = []
    let busy = false
    const heard = new Map<string, number>()
    const scheduler = new TxScheduler({
      clock,
      budget: new AirtimeBudget(3_600_000, () => clock.now()),
      speed: () => 'normal',
      myCall: () => 'K1AAA',
      write: (to, text) => written.push({ to, frame: unwrap(parseLinkFrameText(text)) }),
      channelBusy: () => busy,
      gapSlackMs: 1_000,
    })
    const outcomes: SendOutcome[] = []
    const arq = new ArqSender(
      {
        clock,
        scheduler,
        random: () => 0,
        plan: (payload, id) => planFragments(payload, id, 10, 'normal'),
        periodMs: () => PERIOD,
        heardAt: (call) => heard.get(call) ?? Number.NEGATIVE_INFINITY,
        isGroup: (to) => to.startsWith('@'),
        onOutcome: (x) => outcomes.push(x),
      },
      { ackTimeoutPeriods: 6, retryJitterPeriods: 0, maxRounds: 3, retainSentMs: 3_600_000, maxQueueBytes: 1_000, ...o },
    )
    // No PTT events here: each transmission counts as finished a period (+1 s) after its hand-over.
    const transmissions = (n: number): void => clock.advance(n * (PERIOD + 1_000))
    return { clock, written, arq, outcomes, heard, scheduler, transmissions, setBusy: (b: boolean) => (busy = b) }
  }

  it('sends one directed message at a time: the next only after the ack', async () => {
    const { written, arq, outcomes, transmissions } = setup()
    await arq.send(big, 'K2BBB')
    const second = arq.send(Uint8Array.of(9), 'K2BBB')
    transmissions(3)
    expect(written.map((w) => index(w.frame))).toEqual(['data 0', 'data 1', 'data 2'])
    arq.onAck('K3CCC', [0]) // someone else
    arq.onAck('K2BBB', [7]) // another message
    expect(written).toHaveLength(3)
    arq.onAck('K2BBB', [0])
    await second
    expect(outcomes).toEqual([{ to: 'K2BBB', messageId: 0, ok: true, rounds: 1, rttMs: 3 * 16_000 }])
    expect(written.at(-1)).toEqual({ to: 'K2BBB', frame: { kind: 'whole', messageId: 1, payload: Uint8Array.of(9) } })
  })

  it('retransmits exactly what a nack names', async () => {
    const { written, arq, outcomes, transmissions } = setup()
    await arq.send(big, 'K2BBB')
    transmissions(3)
    arq.onNack('K2BBB', 0, [1, 7]) // 7 does not exist: ignored
    transmissions(1)
    expect(written.map((w) => index(w.frame))).toEqual(['data 0', 'data 1', 'data 2', 'data 1'])
    arq.onAck('K2BBB', [0])
    expect(outcomes[0]).toMatchObject({ ok: true, rounds: 2 })
  })

  it('polls after the ack wait, and gives up after maxRounds', async () => {
    const { clock, written, arq, outcomes } = setup()
    await arq.send(Uint8Array.of(1), 'K2BBB')
    clock.advance(16_000 + 6 * PERIOD - 1)
    expect(written.map((w) => w.frame.kind)).toEqual(['whole'])
    clock.advance(1)
    expect(written.at(-1)?.frame).toEqual({ kind: 'poll', messageId: 0, count: 1 })
    clock.advance(2 * (16_000 + 6 * PERIOD))
    expect(written.map((w) => w.frame.kind)).toEqual(['whole', 'poll', 'poll'])
    expect(outcomes).toEqual([{ to: 'K2BBB', messageId: 0, ok: false, rounds: 3 }])
  })

  it('waits longer while the peer is still talking', async () => {
    const { clock, written, arq, heard } = setup()
    await arq.send(Uint8Array.of(1), 'K2BBB')
    clock.advance(16_000 + 5 * PERIOD)
    heard.set('K2BBB', clock.now())
    clock.advance(2 * PERIOD)
    expect(written).toHaveLength(1)
    clock.advance(4 * PERIOD)
    expect(written.at(-1)?.frame.kind).toBe('poll')
  })

  it('withdraws a poll still waiting for the air when the peer is heard', async () => {
    const { clock, written, arq, scheduler, setBusy } = setup()
    await arq.send(Uint8Array.of(1), 'K2BBB')
    clock.advance(16_000)
    setBusy(true) // someone is on air: the poll must wait
    clock.advance(6 * PERIOD)
    expect(scheduler.length).toBe(1)
    arq.onHeard('K2BBB')
    expect(scheduler.length).toBe(0)
    setBusy(false)
    clock.advance(PERIOD)
    expect(written.map((w) => w.frame.kind)).toEqual(['whole'])
  })

  it('sends group messages without waiting for acks, and serves a member\u2019s nack directed', async () => {
    const { written, arq, outcomes, transmissions } = setup()
    await arq.send(big, '@BNKR')
    const directed = arq.send(Uint8Array.of(2), 'K2BBB') // not held back by the group message's acks
    transmissions(3)
    await directed
    expect(written.map((w) => `${w.to} ${index(w.frame)}`)).toEqual(['@BNKR data 0', '@BNKR data 1', '@BNKR data 2', 'K2BBB whole'])
    expect(outcomes).toEqual([{ to: '@BNKR', messageId: 0, ok: true, rounds: 1 }])
    arq.onNack('K4DDD', 0, [2])
    transmissions(1)
    expect(written.at(-1)).toMatchObject({ to: 'K4DDD', frame: { kind: 'data' } })
    expect(index(written.at(-1)?.frame)).toBe('data 2')
  })

  it('rejects a send that does not fit the queue, and one aborted while waiting', async () => {
    const { written, arq } = setup({ maxQueueBytes: 200 })
    await arq.send(big, 'K2BBB')
    const full = await arq.send(new Uint8Array(60), 'K2BBB').catch((e: unknown) => e)
    expect(isTransportError(full, 'ERR_QUEUE_FULL')).toBe(true)
    const ac = new AbortController()
    const waiting = arq.send(Uint8Array.of(1), 'K2BBB', ac.signal).catch((e: unknown) => e)
    ac.abort()
    expect(isTransportError(await waiting, 'ERR_ABORTED')).toBe(true)
    expect(arq.queuedBytes()).toBe(150)
    expect(written).toHaveLength(1)
  })
})
