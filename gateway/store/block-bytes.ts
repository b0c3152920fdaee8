/**
 * The stored form of a block: the bincode of the node's `Block { header, transactions }`, which is the
 * header's bincode followed by the `Vec<Transaction>` bincode. Compact (no field names, u64 as 8
 * bytes, so nonces above 2^53 survive) and canonical: decoding then encoding gives the same bytes.
 *
 * @packageDocumentation
 */
import { decodeHeaderBincode, decodeTransactionsBincode, encodeHeaderBincode, encodeTransactionsBincode } from '../../codecs/bincode.js'
import { CodecError } from '../../codecs/errors.js'
import type { Block } from '../../codecs/model.js'
import { err, ok, type Result } from '../../codecs/result.js'

/** Header bytes before the signature's u64 length: 3 × u32, 2 × u64 and 3 hashes. */
const SIGNATURE_LENGTH_OFFSET = 124 // bytes
/** Header bytes with an empty signature. */
const MIN_HEADER_BYTES = SIGNATURE_LENGTH_OFFSET + 8 // bytes

/**
 * Stored bytes of `block`.
 *
 * @throws CodecError `ERR_NUMBER_RANGE` or `ERR_BYTE_LENGTH` for a block that fails its schema
 */
export function encodeBlockBytes(block: Block): Uint8Array {
  const header = encodeHeaderBincode(block.header)
  const transactions = encodeTransactionsBincode(block.transactions)
  const out = new Uint8Array(header.length + transactions.length)
  out.set(header, 0)
  out.set(transactions, header.length)
  return out
}

/** Decodes stored block bytes; `ERR_TRUNCATED` or `ERR_TRAILING_CHARACTERS` when they are damaged. */
export function decodeBlockBytes(bytes: Uint8Array): Result<Block> {
  const split = headerLength(bytes)
  if (!split.ok) return split
  const header = decodeHeaderBincode(bytes.subarray(0, split.value))
  if (!header.ok) return header
  const transactions = decodeTransactionsBincode(bytes.subarray(split.value))
  if (!transactions.ok) return transactions
  return ok({ header: header.value, transactions: transactions.value })
}

/** Where the header ends: its fixed part plus the signature length it declares. */
function headerLength(bytes: Uint8Array): Result<number> {
  if (bytes.length < MIN_HEADER_BYTES) {
    return err(new CodecError('ERR_TRUNCATED', `block bytes are ${bytes.length} long, a header needs at least ${MIN_HEADER_BYTES}`))
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const signatureLength = view.getBigUint64(SIGNATURE_LENGTH_OFFSET, true)
  if (signatureLength > BigInt(bytes.length - MIN_HEADER_BYTES)) {
    return err(new CodecError('ERR_TRUNCATED', `header signature claims ${signatureLength} bytes, only ${bytes.length - MIN_HEADER_BYTES} left`))
  }
  return ok(MIN_HEADER_BYTES + Number(signatureLength))
}
