/**
 * Where the status server, the metrics gauges and the history read the gateway's state from: a
 * function, so none of them imports the Gateway and tests pass a fake.
 *
 * @packageDocumentation
 */
import { GatewayStatusSchema, type GatewayStatus } from '../status-model.js'
import { StatusError } from './status-error.js'

/** Returns the gateway's current status report; may be async, may throw (the caller turns that into a 500). */
export type StatusSource = () => GatewayStatus | Promise<GatewayStatus>

/**
 * Reads the source once and checks the report against the schema, so nothing malformed reaches the
 * page or Prometheus.
 *
 * @throws whatever the source throws; {@link StatusError} `ERR_STATUS_INVALID` for a malformed report
 */
export async function readStatus(source: StatusSource): Promise<GatewayStatus> {
  const parsed = GatewayStatusSchema.safeParse(await source())
  if (parsed.success) return parsed.data
  const where = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
  throw new StatusError('ERR_STATUS_INVALID', `the status source returned a report that does not match the schema: ${where}`)
}
