/**
 * `bunker-gateway tls-keygen`: makes this station's key and self-signed certificate for TLS on TCP
 * links (docs/PROTOCOL.md §14) and prints the fingerprint the peer gateways pin in their config.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { isTransportError } from '../transports/errors.js'
import { createSelfSignedIdentity, DEFAULT_CERT_DAYS } from '../transports/tcp/tls-identity.js'
import { EXIT } from './exit-codes.js'

/** Help for `tls-keygen`. */
export const TLS_KEYGEN_HELP = `bunker-gateway tls-keygen --station CALL --cert FILE --key FILE [--days N]

Makes an Ed25519 key and a self-signed certificate for TLS between gateways over the internet
(never used on radio links, which must stay unencrypted), with openssl, and prints the SHA-256
fingerprint. Give that fingerprint to each peer gateway: they pin it under
[links.NAME.tls] pins = { "your-host:port" = "AB:CD:..." } (or clientPins when you dial them).
Existing files are never overwritten: a new key changes the fingerprint every peer has pinned.

Options:
  --station CALL  this station's id, for the certificate's name
  --cert FILE     where to write the certificate (PEM)
  --key FILE      where to write the private key (PEM, mode 0600)
  --days N        validity in days (default ${DEFAULT_CERT_DAYS})
  -h, --help      this text
`

/** Runs `tls-keygen`; returns the exit code. */
export async function tlsKeygenCommand(args: string[], print: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { station: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  })
  if (values.help === true) {
    print(TLS_KEYGEN_HELP)
    return EXIT.OK
  }
  if (values.station === undefined || values.cert === undefined || values.key === undefined) {
    print(`tls-keygen: --station, --cert and --key are required\n\n${TLS_KEYGEN_HELP}`)
    return EXIT.USAGE
  }
  const days = values.days === undefined ? DEFAULT_CERT_DAYS : Number(values.days)
  try {
    const identity = await createSelfSignedIdentity({ station: values.station, certFile: values.cert, keyFile: values.key, days })
    print(`certificate ${values.cert} and key ${values.key} written`)
    print(`fingerprint (SHA-256, give it to your peers): ${identity.fingerprint}`)
    return EXIT.OK
  } catch (e) {
    if (!isTransportError(e)) throw e
    print(`tls-keygen: ${e.message}`)
    return EXIT.CONFIG
  }
}
