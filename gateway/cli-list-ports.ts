/**
 * `bunker-gateway list-ports`: the serial devices on this machine, with the stable
 * `/dev/serial/by-id/...` name to put in the config. It runs outside the hardened service:
 * serialport's `SerialPort.list()` asks udevadm, which the service's sandbox does not allow.
 *
 * @packageDocumentation
 */
import { readdir, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { SerialPort } from 'serialport'
import { EXIT } from './exit-codes.js'
import { formatTable } from './text-table.js'

/** What serialport knows about one port. */
export type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number]

/** Where udev puts a symlink per USB serial device, named by vendor, product and serial number. */
const BY_ID_DIR = '/dev/serial/by-id'

/** Help for `list-ports`. */
export const LIST_PORTS_HELP = `bunker-gateway list-ports

Lists the serial devices of this machine (USB TNCs, CDC-ACM modems, UARTs) with their stable name
under ${BY_ID_DIR}, manufacturer, USB vendor:product id and serial number. Put the stable name in
[links.NAME.tnc] path = "..." so a replug or reboot cannot swap ttyUSB0 and ttyUSB1, or give it a
short name with a udev rule (systemd/99-bunker-tnc.rules).

Options:
  -h, --help  this text
`

/** What `list-ports` reads; tests replace both. */
export interface ListPortsDeps {
  /** Lists the ports; serialport's `SerialPort.list` by default. */
  list?: () => Promise<PortInfo[]>
  /** Directory of stable symlinks; {@link BY_ID_DIR} by default. */
  byIdDir?: string
}

async function serialportList(): Promise<PortInfo[]> {
  const { SerialPort } = await import('serialport') // native bindings load only for this command
  return SerialPort.list()
}

/** Device path → the by-id symlinks that lead to it (none when the directory is missing). */
async function byIdLinks(dir: string): Promise<Map<string, string[]>> {
  const links = new Map<string, string[]>()
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return links // no USB serial device plugged in: udev has not created the directory
  }
  for (const name of names.sort()) {
    const link = join(dir, name)
    const target = await realpath(link).catch(() => undefined) // a dangling link: device just unplugged
    if (target !== undefined) links.set(target, [...(links.get(target) ?? []), link])
  }
  return links
}

const orNone = (text: string | undefined): string => (text === undefined || text === '' ? '-' : text)

/** Runs `list-ports` with its arguments; returns the exit code. */
export async function listPortsCommand(args: string[], print: (line: string) => void, deps: ListPortsDeps = {}): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    print(LIST_PORTS_HELP)
    return EXIT.OK
  }
  let ports: PortInfo[]
  try {
    ports = await (deps.list ?? serialportList)()
  } catch (e) {
    print(`could not list serial ports: ${(e as Error).message} (serialport asks udevadm: is udev installed and running?)`)
    return EXIT.FAILURE
  }
  if (ports.length === 0) {
    print('no serial ports found: is the TNC plugged in? (dmesg | tail shows what the kernel saw)')
    return EXIT.OK
  }
  const links = await byIdLinks(deps.byIdDir ?? BY_ID_DIR)
  const rows = ports.map((p) => [
    p.path,
    (links.get(p.path) ?? []).join(' ') || '-',
    orNone(p.manufacturer),
    p.vendorId === undefined ? '-' : `${p.vendorId}:${orNone(p.productId)}`,
    orNone(p.serialNumber),
  ])
  print(formatTable([['PATH', 'STABLE NAME (use in the config)', 'MANUFACTURER', 'VID:PID', 'SERIAL'], ...rows]).join('\n'))
  return EXIT.OK
}
