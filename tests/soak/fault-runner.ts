/**
 * Carries out a fault schedule on the soak's network: each fault starts at its time, holds, and is
 * healed; faults of different kinds overlap freely. Counts what was survived.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createPrng, type Prng } from '../../hardware-sim/prng.js'
import { FAULT_KINDS, type Fault, type FaultKind } from './fault-schedule.js'
import { badSignatureTx, injectAsPeer, injectOverP2p } from './intruders.js'
import type { Side, SoakNet, TcpPath } from './soak-net.js'
import type { Traffic } from './traffic.js'

/** Transactions sent at once just before the child gateway is killed, so it dies while writing. */
const BURST_BEFORE_KILL = 15
/** Longest wait after that burst before SIGKILL, ms (seeded). */
const KILL_DELAY_MAX_MS = 150

type Heal = () => Promise<void>
const nothing: Heal = async () => undefined

/** Runs faults against a {@link SoakNet}. */
export class FaultRunner {
  /** Faults healed (or done, for instant ones) per kind. */
  readonly survived = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>
  /** Faults not started because the same one was still under way. */
  skipped = 0
  private readonly active = new Set<string>()
  private readonly prng: Prng

  /**
   * @param net - what to break
   * @param traffic - told which nodes are down, and asked for bursts and invalid transactions
   * @param seed - seeds the kill delays
   */
  constructor(
    private readonly net: SoakNet,
    private readonly traffic: Traffic,
    seed: number,
  ) {
    this.prng = createPrng(seed)
  }

  /** Runs `schedule` from now; resolves when every fault has been healed. */
  async run(schedule: readonly Fault[]): Promise<void> {
    const started = Date.now()
    const running: Promise<void>[] = []
    for (const f of schedule) {
      await sleep(Math.max(0, started + f.at - Date.now()))
      running.push(this.apply(f))
    }
    await Promise.all(running)
  }

  /** Total faults survived. */
  total(): number {
    return Object.values(this.survived).reduce((n, k) => n + k, 0)
  }

  private async apply(f: Fault): Promise<void> {
    const key = `${f.kind}:${f.target}`
    if (this.active.has(key)) {
      this.skipped++
      return
    }
    this.active.add(key)
    try {
      const heal = await this.inflict(f)
      await sleep(f.holdMs)
      await heal()
      this.survived[f.kind]++
    } finally {
      this.active.delete(key)
    }
  }

  private async inflict(f: Fault): Promise<Heal> {
    const { net } = this
    switch (f.kind) {
      case 'tcp-cut': {
        const proxies = net.paths[f.target as TcpPath]
        await Promise.all(proxies.map((p) => p.cut()))
        return async () => void (await Promise.all(proxies.map((p) => p.restore())))
      }
      case 'vara-restart':
        await this.modem(f.target).restart()
        return nothing
      case 'vara-hang': {
        const modem = this.modem(f.target)
        modem.setSilent(true) // a hung modem: no replies, no IAMALIVE
        return () => modem.restart()
      }
      case 'js8-restart':
        await net.js8.simA.close() // JS8Call quits
        return async () => void (await net.js8.restartSimA())
      case 'tnc-unplug': {
        const station = net.tnc[f.target as 'a' | 'b']
        await station.pty?.restart() // both ends of the serial line vanish and come back empty
        return () => station.tnc.replugSerial()
      }
      case 'node-restart':
        return this.restartNode(f.target as Side)
      case 'gateway-kill':
        return this.killChild()
      case 'invalid-tx':
        await this.inject()
        return nothing
    }
  }

  private modem(target: string) {
    return target === 'a' ? this.net.vara.simA : this.net.vara.simB
  }

  private async restartNode(side: Side): Promise<Heal> {
    const node = this.net.nodes[side]
    this.traffic.setDown(side, true)
    await node.stop()
    return async () => {
      await node.start()
      this.traffic.setDown(side, false)
    }
  }

  /** SIGKILL while the gateway is busy committing and relaying a burst; started again on its state. */
  private async killChild(): Promise<Heal> {
    this.traffic.burst('c', BURST_BEFORE_KILL)
    this.traffic.burst('a', BURST_BEFORE_KILL)
    await sleep(this.prng.next() * KILL_DELAY_MAX_MS)
    await this.net.child.kill()
    return () => this.net.child.start()
  }

  /** One invalid transaction on B's node-facing P2P port, another from a hostile TCP peer of A. */
  private async inject(): Promise<void> {
    const [viaP2p, viaPeer] = [badSignatureTx(this.traffic.invalid.length), badSignatureTx(this.traffic.invalid.length + 1)]
    this.traffic.invalid.push(viaP2p.hash, viaPeer.hash)
    await injectOverP2p(this.net.ports.p2pB, viaP2p.tx)
    await injectAsPeer(this.net.ports.net.a, 'evil-gw', viaPeer.tx)
  }
}
