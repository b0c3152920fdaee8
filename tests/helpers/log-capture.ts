/** A pino logger whose lines are kept in memory, so tests can assert what an operator would read. */
import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../gateway/log.js'

/** A captured log record (pino's JSON line, parsed). */
export type LogRecord = Record<string, unknown> & { level: number; msg: string }

/** A logger plus the records it wrote. */
export interface CapturedLog {
  log: Logger
  records: LogRecord[]
  /** Records whose message contains `text`. */
  find(text: string): LogRecord[]
}

/** Creates a debug-level logger that keeps every record. */
export function captureLog(): CapturedLog {
  const records: LogRecord[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') records.push(JSON.parse(line) as LogRecord)
      done()
    },
  })
  const log = createLogger('debug', sink)
  return { log, records, find: (text) => records.filter((r) => r.msg.includes(text)) }
}
