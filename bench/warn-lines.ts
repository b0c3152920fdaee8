/**
 * The gateways' log lines at warn and above, kept in memory so a benchmark that saw something go
 * wrong can quote them in its notes or its crash message.
 *
 * @packageDocumentation
 */
import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../gateway/log.js'

/** Lines kept at most (the first ones: what went wrong first). */
const MAX_LINES = 200

/** A logger writing warn and above into {@link WarnLines.lines}. */
export class WarnLines extends Writable {
  readonly lines: string[] = []
  /** The logger to hand to the gateways. */
  readonly log: Logger = createLogger('warn', this)

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.lines.length < MAX_LINES) this.lines.push(chunk.toString().trim())
    done()
  }

  /** The last `n` lines, joined for a message. */
  last(n: number): string {
    return this.lines.slice(-n).join(' | ')
  }
}
