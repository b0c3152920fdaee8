/**
 * Exit codes of the `bunker-gateway` command, from sysexits.h where one fits. The systemd unit keys
 * on them: `RestartPreventExitStatus=78` stops a restart loop on a bad configuration.
 *
 * @packageDocumentation
 */

/** Every exit code the CLI returns. */
export const EXIT = {
  /** Success; also a clean stop after SIGTERM or SIGINT. */
  OK: 0,
  /** A runtime failure: the gateway did not start or stop cleanly, nothing answers `status`, no serial ports could be listed. */
  FAILURE: 1,
  /** EX_USAGE: unknown command or option, missing argument. */
  USAGE: 64,
  /** EX_CONFIG: the configuration file is missing, unreadable or invalid. */
  CONFIG: 78,
} as const

/** One of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]
