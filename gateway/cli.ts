/**
 * Entry point of the `bunker-gateway` command: the only module that writes to the terminal.
 *
 * @packageDocumentation
 */
import { main } from './cli-main.js'

const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve())
  process.once('SIGTERM', () => resolve())
})
process.exitCode = await main(process.argv.slice(2), (line) => console.log(line), stop)
