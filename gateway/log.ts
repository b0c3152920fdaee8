/**
 * Logging: pino, newline-delimited JSON to stdout (journald keeps it on a Pi), one child logger per
 * component. A log line says what failed and what happens next.
 *
 * @packageDocumentation
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * Creates the root logger.
 *
 * @param level - lowest level written
 * @param destination - where lines go; stdout when omitted (tests pass a capturing stream)
 */
export function createLogger(level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }
  return destination === undefined ? pino(options) : pino(options, destination)
}

/** A logger that writes nothing, for components created without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
