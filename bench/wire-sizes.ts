/**
 * Bytes on air for the fixed corpus: the seed's NDJSON line, plain CBOR (our envelope without
 * compression) and our wire format (compressed where that pays), with each as a share of NDJSON.
 * Sizes are exact counts, not timings, so one run is enough.
 *
 * @packageDocumentation
 */
import { encodeEnvelope } from '../codecs/envelope.js'
import { encodeP2PMessage } from '../codecs/ndjson.js'
import { buildCorpus } from '../hardware-sim/corpus.js'

/** One row of the size table. */
export interface WireSizeRow {
  item: string
  /** NDJSON line plus its newline, bytes. */
  ndjson: number
  /** Envelope with plain CBOR body, bytes. */
  cbor: number
  /** Envelope as sent (deflated with the preset dictionary when smaller), bytes. */
  wire: number
  /** wire / ndjson. */
  wireShare: number
}

/** Measures the corpus. */
export function measureWireSizes(): WireSizeRow[] {
  return buildCorpus().map((item) => {
    const ndjson = Buffer.byteLength(encodeP2PMessage(item.message)) + 1
    const cbor = encodeEnvelope(item.wire, { compress: 'never' }).length
    const wire = encodeEnvelope(item.wire).length
    return { item: item.name, ndjson, cbor, wire, wireShare: wire / ndjson }
  })
}
