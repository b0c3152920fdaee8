/**
 * Bounded HTTP bodies: a node's `/chain` can be tens of MB, and a hostile or broken server can send
 * more; we stop reading at the cap instead of buffering whatever arrives.
 *
 * @packageDocumentation
 */

/** Thrown when an HTTP exchange with the node fails; `status` is set for non-2xx answers. */
export class HttpNodeError extends Error {
  override readonly name = 'HttpNodeError'

  /**
   * @param message - what failed, with the URL
   * @param status - HTTP status when the server answered
   */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

/** Reads a response body as UTF-8 text, failing once it exceeds `maxBytes`. */
export async function readBoundedText(res: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) {
    await res.body?.cancel()
    throw new HttpNodeError(`${url}: body of ${declared} bytes exceeds the ${maxBytes}-byte limit`)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  if (res.body === null) return ''
  for await (const chunk of res.body) {
    total += chunk.byteLength
    if (total > maxBytes) {
      await res.body.cancel().catch(() => undefined)
      throw new HttpNodeError(`${url}: body exceeds the ${maxBytes}-byte limit`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total).toString('utf8')
}
