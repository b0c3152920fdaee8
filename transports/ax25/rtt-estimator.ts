/**
 * The adaptive T1: smoothed round-trip time and its variation (Jacobson/Karels, as in TCP's RFC
 * 6298), clamped to the configured bounds and doubled on every expiry until a new measurement.
 * AX.25 v2.2 also adapts T1 from measured round trips (Direwolf's SRT); this is the same idea with
 * TCP's well-studied constants.
 *
 * @packageDocumentation
 */

/** Bounds of the timeout, ms. */
export interface RttBounds {
  initialMs: number
  minMs: number
  maxMs: number
}

/** Gains of RFC 6298 §2. */
const ALPHA = 1 / 8
const BETA = 1 / 4
/** Variation weight K of RFC 6298. */
const K = 4

/** Round-trip statistics and the retransmission timeout derived from them. */
export class RttEstimator {
  private srtt: number | undefined // ms
  private rttvar = 0 // ms
  private backoff = 1 // doubles per expiry

  /** @param bounds - initial, minimum and maximum timeout */
  constructor(private readonly bounds: RttBounds) {}

  /** Smoothed round trip, ms; undefined before the first sample. */
  get smoothedMs(): number | undefined {
    return this.srtt
  }

  /** Records a measured round trip and clears any backoff. */
  sample(rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return
    if (this.srtt === undefined) {
      this.srtt = rttMs
      this.rttvar = rttMs / 2
    } else {
      this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - rttMs)
      this.srtt = (1 - ALPHA) * this.srtt + ALPHA * rttMs
    }
    this.backoff = 1
  }

  /** The timer expired without an answer: the next timeout is twice as long (up to the maximum). */
  expired(): void {
    this.backoff = Math.min(this.backoff * 2, 64)
  }

  /** Current timeout, ms. */
  timeoutMs(): number {
    const base = this.srtt === undefined ? this.bounds.initialMs : this.srtt + K * this.rttvar
    return Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, base) * this.backoff)
  }
}
