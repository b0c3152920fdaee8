/**
 * `bunker-gateway status`: asks a running gateway for its `/status` JSON and prints it as a table.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { EXIT } from './exit-codes.js'
import { formatPath, issueReason } from './config/config-error.js'
import { GatewayStatusSchema, type GatewayStatus } from './status-model.js'
import { formatStatus } from './status-text.js'

/** Where a gateway serves its status by default (the config's `[status]` defaults). */
export const DEFAULT_STATUS_URL = 'http://127.0.0.1:8470'

/** How long to wait for the answer, ms: a gateway on the same machine answers in milliseconds. */
const REQUEST_TIMEOUT_MS = 5_000

/** Help for `status`. */
export const STATUS_HELP = `bunker-gateway status [--url URL] [--json]

Asks the gateway running on this machine how it is: each link's state and quality, the peer
gateways and their queues, the chain tip and the relay counters.

Options:
  --url URL   where the gateway serves /status (${DEFAULT_STATUS_URL}; see [status] in the config)
  --json      print the status JSON instead of the table
  -h, --help  this text

Exits 1 when nothing answers there or the answer is not a gateway status.
`

/** GET `<base>/status`, validated; a failure is a sentence for the operator. */
async function fetchStatus(base: string): Promise<{ ok: true; status: GatewayStatus } | { ok: false; message: string }> {
  let url: URL
  try {
    url = new URL('status', base.endsWith('/') ? base : `${base}/`)
  } catch {
    return { ok: false, message: `'${base}' is not a URL (e.g. ${DEFAULT_STATUS_URL})` }
  }
  let body: unknown
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), headers: { accept: 'application/json' } })
    if (!response.ok) return { ok: false, message: `${url.href} answered HTTP ${response.status}: is that a bunker-gateway?` }
    body = await response.json()
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name
    return { ok: false, message: `no gateway answers at ${url.href} (${cause}): is it running? (systemctl status bunker-gateway)` }
  }
  const parsed = GatewayStatusSchema.safeParse(body)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    const where = first === undefined ? '' : `: ${formatPath(first.path)}: ${issueReason(first.message)}`
    return { ok: false, message: `${url.href} answered, but not with a gateway status${where}` }
  }
  return { ok: true, status: parsed.data }
}

/** Runs `status` with its arguments; returns the exit code. */
export async function statusCommand(args: string[], print: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, url: { type: 'string', default: DEFAULT_STATUS_URL }, json: { type: 'boolean' } } })
  if (values.help === true) {
    print(STATUS_HELP)
    return EXIT.OK
  }
  const result = await fetchStatus(values.url)
  if (!result.ok) {
    print(result.message)
    return EXIT.FAILURE
  }
  print(values.json === true ? JSON.stringify(result.status, null, 2) : formatStatus(result.status).join('\n'))
  return EXIT.OK
}
