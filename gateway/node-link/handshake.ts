/**
 * How two bunker-gateways recognise each other on the node's P2P port without ever sending a plain
 * node a line it cannot parse.
 *
 * The node has no version message, and serde drops (in the seed code: disconnects on) any unknown
 * variant. But serde_json decodes `\u0047` as `G`, so `"\u0047etChain"` *is* `GetChain` to a node while
 * its bytes differ from the canonical `"GetChain"` that serde_json (and our encoder) always emits. The
 * dialling gateway opens with the {@link GATEWAY_OFFER_LINE}; a plain node simply answers it with its
 * chain. A gateway that sees the offer answers with the {@link GATEWAY_ACCEPT_LINE}, which a node would
 * read as `GetMempool`. After both lines each side knows the other is a gateway (protocol version 1)
 * and may move to the compact gateway protocol (docs/PROTOCOL.md); until then both keep speaking the
 * seed protocol, so nothing breaks if either side stops there.
 *
 * @packageDocumentation
 */

/** The dialler's opening `GetChain`, spelled so a gateway can tell it from a node's (version 1). */
export const GATEWAY_OFFER_LINE = '"\\u0047etChain"'

/** A gateway's `GetMempool` in answer to the offer (version 1). */
export const GATEWAY_ACCEPT_LINE = '"\\u0047etMempool"'

/** True when `line` (without its newline, surrounding whitespace allowed) is exactly `marker`. */
export function isMarker(line: Uint8Array, marker: string): boolean {
  return Buffer.from(line).toString('latin1').trim() === marker
}
