/** Configuration texts shared by the CLI tests. */

/** The annotated example the docs point operators at. */
export const EXAMPLE = 'systemd/gateway.example.toml'

/** The smallest valid configuration: a station id, everything else defaults. */
export const MINIMAL = `[station]
id = "N0CALL-10"
`

/**
 * A file with one of each kind of problem: an unknown key (station.colour, links.vhf.tnc.speed), a
 * wrong type (status.port), a bad callsign (links.vhf.callsign), a TOML syntax error (line 11) and a
 * value outside its set (log.level).
 */
export const BROKEN = `shutdownTimeoutMs = 10000
[station]
id = "N0CALL-10"
colour = "red"
[status]
port = "8470"
[links.vhf]
type = "ax25"
callsign = "TOOLONGCALL"
tnc = { type = "serial", path = "/dev/ttyUSB0", speed = 9600 }
this line is not toml
[log]
level = "loud"
`
