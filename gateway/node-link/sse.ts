/**
 * A small Server-Sent Events follower for the node's `GET /events`: every event is only a hint that
 * something changed (the node sends log strings), so the caller polls; the stream is reconnected with
 * backoff, and a node without the endpoint is left to plain polling.
 *
 * @packageDocumentation
 */
import { LineSplitter } from '../../codecs/line-splitter.js'
import type { Backoff } from '../backoff.js'
import type { Logger } from '../log.js'

/** Options of {@link followEvents}. */
export interface FollowEventsOptions {
  /** Stops following when aborted. */
  signal: AbortSignal
  /** Delay between reconnects. */
  backoff: Backoff
  /** Called with the `data` of each event. */
  onEvent: (data: string) => void
  /** Component logger. */
  log: Logger
  /** Longest line accepted in the stream, bytes. */
  maxLineBytes?: number
}

/** Follows an SSE stream until aborted or until the server says it has no such endpoint (HTTP 404). */
export async function followEvents(url: string, options: FollowEventsOptions): Promise<void> {
  const { signal, backoff, log } = options
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { signal, headers: { accept: 'text/event-stream' } })
      if (res.status === 404) {
        log.info({ url }, 'node has no event stream; relying on polling')
        await res.body?.cancel()
        return
      }
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`)
      backoff.reset()
      await readEvents(res.body, options)
    } catch (e) {
      if (signal.aborted) return
      log.debug({ url, err: (e as Error).message }, 'event stream dropped; reconnecting')
    }
    await sleep(backoff.next(), signal)
  }
}

async function readEvents(body: ReadableStream<Uint8Array>, options: FollowEventsOptions): Promise<void> {
  const splitter = new LineSplitter({ delimiter: 0x0a, maxLineBytes: options.maxLineBytes ?? 64 * 1024 })
  let data: string[] = []
  for await (const chunk of body) {
    for (const event of splitter.push(chunk)) {
      if ('error' in event) continue // an over-long line is skipped; the stream goes on
      const line = Buffer.from(event.line).toString('utf8').replace(/\r$/, '')
      if (line === '') {
        if (data.length > 0) options.onEvent(data.join('\n'))
        data = []
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''))
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, { once: true })
  })
}
