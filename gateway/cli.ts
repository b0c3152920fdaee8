/**
 * Entry point of the `bunker-gateway` command: the only module that writes to the terminal.
 *
 * @packageDocumentation
 */
import { main } from './cli-main.js'

/** Once a command has returned, anything still holding the event loop open gets this long, ms. */
const EXIT_GRACE_MS = 2_000

const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve())
  process.once('SIGTERM', () => resolve())
})
process.exitCode = await main(process.argv.slice(2), (line) => console.log(line), stop)
// A stop that timed out leaves sockets open; exit anyway rather than wait for systemd's SIGKILL.
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref()
