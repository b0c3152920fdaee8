/**
 * Which hosts count as loopback: `/status` and `/metrics` have no authentication, so the server
 * listens only where nothing off the machine can reach it unless the operator says otherwise.
 *
 * @packageDocumentation
 */
import { BlockList, isIP } from 'node:net'

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6') // BlockList also matches ::ffff:127.x.y.z against the IPv4 subnet

/** True for `localhost`, 127.0.0.0/8 and ::1 (in any spelling); false for wildcards and everything else. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  const family = isIP(host)
  if (family === 0) return false // a name other than localhost may resolve anywhere
  return loopback.check(host, family === 6 ? 'ipv6' : 'ipv4')
}
