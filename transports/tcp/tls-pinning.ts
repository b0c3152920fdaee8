/**
 * Mutual certificate pinning on TLS 1.3 connections between gateways. Self-signed certificates are
 * normal here and there is no CA, so chain verification is off on both sides and each side compares
 * the peer's SHA-256 certificate fingerprint with its config instead, right after the handshake.
 *
 * In TLS 1.3 the client's handshake is complete before the server has looked at the client's
 * certificate, so a dialler cannot tell from the handshake whether it was let in. The listener
 * therefore writes one empty length-prefixed frame (the single byte `00`) once the client's
 * fingerprint is pinned, and the dialler uses the connection only after that byte.
 *
 * @packageDocumentation
 */
import { connect, type PeerCertificate, type TlsOptions, type TLSSocket } from 'node:tls'
import { encodeLengthPrefixed } from '../../codecs/length-prefix.js'
import { TransportError } from '../errors.js'
import type { TlsIdentity } from './tls-identity.js'

/** Oldest TLS version either side accepts. */
export const TLS_MIN_VERSION = 'TLSv1.3'

/** What the listener writes once it has accepted the client's certificate: an empty frame. */
export const ACCEPTED_FRAME = encodeLengthPrefixed(new Uint8Array(0))

/** Why an incoming TLS connection was refused (a stable reason for logs). */
export type ClientRefusal = 'no-client-certificate' | 'client-not-pinned'

/** Options of the listening `tls.Server`: our certificate, TLS 1.3, a client certificate requested. */
export function tlsServerOptions(identity: TlsIdentity, handshakeTimeoutMs: number): TlsOptions {
  return {
    cert: identity.cert,
    key: identity.key,
    minVersion: TLS_MIN_VERSION,
    requestCert: true,
    // Self-signed certificates fail chain verification by design; the pin check replaces it.
    rejectUnauthorized: false,
    handshakeTimeout: handshakeTimeoutMs,
  }
}

/** The SHA-256 fingerprint (`AB:CD:…`) of the certificate the peer presented, if any. */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  // Node returns an empty object when the peer sent no certificate.
  const cert = socket.getPeerCertificate() as Partial<PeerCertificate> | null
  return typeof cert?.fingerprint256 === 'string' ? cert.fingerprint256 : undefined
}

/** Why the client on `socket` may not stay, or undefined when its fingerprint is in `allowed`. */
export function refuseClient(socket: TLSSocket, allowed: ReadonlySet<string>): ClientRefusal | undefined {
  const fingerprint = peerFingerprint(socket)
  if (fingerprint === undefined) return 'no-client-certificate'
  return allowed.has(fingerprint) ? undefined : 'client-not-pinned'
}

/**
 * Starts a TLS 1.3 connection to `target` presenting `identity`; nothing is verified yet: bring it
 * up with `openSocket(socket, 'secureConnect', …, (s) => verifyServer(s, pin))`.
 */
export function connectTls(target: { host: string; port: number }, identity: TlsIdentity): TLSSocket {
  return connect({
    ...target,
    cert: identity.cert,
    key: identity.key,
    minVersion: TLS_MIN_VERSION,
    // No CA and no host names: the pin check in verifyServer is the whole check.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  })
}

/**
 * Resolves once the server on `socket` (handshake done) has shown the certificate pinned as `pin`
 * and has accepted ours.
 *
 * @param pin - expected fingerprint, canonical `AB:CD:…` form
 * @throws TransportError `ERR_CONFIG` when the server's certificate is not the pinned one,
 *   `ERR_UNREACHABLE` when the server refuses ours
 */
export async function verifyServer(socket: TLSSocket, pin: string): Promise<void> {
  const got = peerFingerprint(socket)
  if (got !== pin) throw new TransportError('ERR_CONFIG', `server certificate ${got ?? '(none)'} is not the pinned ${pin}; nothing sent`)
  await awaitAcceptance(socket)
}

/** Resolves when the listener's {@link ACCEPTED_FRAME} arrives; bytes after it stay unread. */
function awaitAcceptance(socket: TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.pause() // whoever adopts the socket resumes it
      if (chunk[0] !== ACCEPTED_FRAME[0]) return reject(new TransportError('ERR_UNREACHABLE', 'the server sent data instead of accepting our certificate'))
      if (chunk.length > 1) socket.unshift(chunk.subarray(1))
      resolve()
    }
    const onClose = (): void => {
      socket.off('data', onData)
      reject(new TransportError('ERR_UNREACHABLE', 'the server closed the connection after the handshake: it does not pin our certificate (our fingerprint belongs in its tls.clientPins or tls.pins)'))
    }
    socket.on('data', onData)
    socket.once('close', onClose)
  })
}
