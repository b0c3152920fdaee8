import { Readable } from 'node:stream'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { CodecError } from '../../codecs/errors.js'
import { CR, LF, LineSplitter, LineSplitterStream, type LineEvent, type LineSplitterOptions } from '../../codecs/line-splitter.js'

type Outcome = string | { error: string }

/** Events as strings (lines) and `{ error: code }`, easy to compare. */
function outcomes(events: LineEvent[]): Outcome[] {
  return events.map((e) => ('line' in e ? Buffer.from(e.line).toString('latin1') : { error: e.error.code }))
}

/** Feeds `chunks` and ends the input; returns every event. */
function split(chunks: Uint8Array[], options?: LineSplitterOptions): Outcome[] {
  const splitter = new LineSplitter(options)
  const events = chunks.flatMap((c) => splitter.push(c))
  return outcomes([...events, ...splitter.end()])
}

/** What `BufRead::lines()` plus the length rule yields for `text`, computed the obvious way. */
function reference(text: string, delimiter = '\n', max = Infinity, stripCr = delimiter === '\n'): Outcome[] {
  const pieces = text.split(delimiter)
  const last = pieces.pop() ?? ''
  const out: Outcome[] = pieces.map((p) => (p.length > max ? { error: 'ERR_LINE_TOO_LONG' } : stripCr && p.endsWith('\r') ? p.slice(0, -1) : p))
  if (last !== '') out.push(last.length > max ? { error: 'ERR_LINE_TOO_LONG' } : last)
  return out
}

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))

const SAMPLE = '"GetChain"\r\n\n{"Chain":[]}\nabc\r\r\n  x  \nlast-without-newline'

describe('LineSplitter', () => {
  it('mirrors lines(): strips LF and one CR before it, keeps empty lines, yields a final unterminated line', () => {
    expect(split([bytes(SAMPLE)])).toEqual(['"GetChain"', '', '{"Chain":[]}', 'abc\r', '  x  ', 'last-without-newline'])
    expect(split([bytes(SAMPLE)])).toEqual(reference(SAMPLE))
    expect(split([bytes('a\n')])).toEqual(['a'])
    expect(split([bytes('tail\r')])).toEqual(['tail\r'])
    expect(split([])).toEqual([])
  })

  it('gives the same lines for a split at every position', () => {
    const input = bytes(SAMPLE)
    for (let i = 0; i <= input.length; i++) {
      for (const j of [i, Math.min(input.length, i + 1), Math.min(input.length, i + 7)]) {
        expect(split([input.subarray(0, i), input.subarray(i, j), input.subarray(j)]), `cut at ${i}, ${j}`).toEqual(reference(SAMPLE))
      }
    }
  })

  it('gives the same lines from 1-byte chunks', () => {
    const input = bytes(SAMPLE)
    expect(split(Array.from(input, (b) => Uint8Array.of(b)))).toEqual(reference(SAMPLE))
  })

  it('returns copies: changing a chunk afterwards does not change a line', () => {
    const chunk = bytes('abc\nde')
    const splitter = new LineSplitter()
    const [first] = splitter.push(chunk)
    chunk.fill(0x7a)
    expect(outcomes(first === undefined ? [] : [first])).toEqual(['abc'])
    expect(outcomes(splitter.end())).toEqual(['de'])
  })

  it('splits VARA command lines on CR and keeps a stray LF', () => {
    const text = 'CONNECTED N0CALL W1AW\rBUFFER 0\rPTR\nX\r'
    expect(split([bytes(text)], { delimiter: CR })).toEqual(['CONNECTED N0CALL W1AW', 'BUFFER 0', 'PTR\nX'])
  })

  it('rejects an over-long line once, without buffering it, and resumes after the next delimiter', () => {
    const splitter = new LineSplitter({ maxLineBytes: 8 })
    const events: LineEvent[] = []
    for (const b of bytes('12345678\n123456789abcdef')) {
      events.push(...splitter.push(Uint8Array.of(b)))
      expect(splitter.bufferedBytes).toBeLessThanOrEqual(8)
    }
    events.push(...splitter.push(bytes('ghi\nok\n')))
    expect(outcomes(events)).toEqual(['12345678', { error: 'ERR_LINE_TOO_LONG' }, 'ok'])
    const errors = events.flatMap((e) => ('error' in e ? [e.error] : []))
    expect(errors[0]).toBeInstanceOf(CodecError)
    expect(errors[0]?.message).toMatch(/longer than 8 bytes.*next 0x0a/)
  })

  it('does not return the rest of an over-long line at the end of input', () => {
    expect(split([bytes('ok\n0123456789')], { maxLineBytes: 4 })).toEqual(['ok', { error: 'ERR_LINE_TOO_LONG' }])
  })

  it('counts a CR before LF against the limit (bytes before the delimiter)', () => {
    expect(split([bytes('1234\r\n1234\n')], { maxLineBytes: 4 })).toEqual([{ error: 'ERR_LINE_TOO_LONG' }, '1234'])
  })

  it('assembles a 3 MB line from 1 KiB chunks', () => {
    const line = 'x'.repeat(3 * 1024 * 1024)
    const input = bytes(`${line}\nnext\n`)
    const chunks: Uint8Array[] = []
    for (let i = 0; i < input.length; i += 1024) chunks.push(input.subarray(i, i + 1024))
    const out = split(chunks)
    expect(out).toHaveLength(2)
    expect(out[0]).toBe(line)
    expect(out[1]).toBe('next')
  })

  it('refuses options that are not a byte delimiter or a positive limit', () => {
    expect(() => new LineSplitter({ delimiter: 256 })).toThrow(RangeError)
    expect(() => new LineSplitter({ maxLineBytes: 0 })).toThrow(RangeError)
  })

  it('matches the reference for arbitrary input, chunking, delimiter and limit (property)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n', 'xyz', ''), { maxLength: 40 }).map((p) => p.join(''))
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom(LF, CR), fc.integer({ min: 1, max: 6 }), (s, cuts, delimiter, max) => {
        const input = bytes(s)
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
        const chunks = [0, ...points].map((start, k) => input.subarray(start, points[k] ?? input.length))
        expect(split(chunks, { delimiter, maxLineBytes: max })).toEqual(reference(s, String.fromCharCode(delimiter), max))
      }),
      { seed: 42, numRuns: 1000 },
    )
  })
})

describe('LineSplitterStream', () => {
  let stream: LineSplitterStream | undefined

  afterEach(() => {
    stream?.destroy()
    stream = undefined
  })

  it('turns a byte stream into line and error events, ending with the unterminated line', async () => {
    stream = new LineSplitterStream({ maxLineBytes: 16 })
    const source = Readable.from([bytes('"GetCh'), bytes('ain"\n'), bytes('x'.repeat(40)), bytes('\n"GetMempool"')])
    const events: LineEvent[] = []
    for await (const event of source.pipe(stream)) events.push(event as LineEvent)
    expect(outcomes(events)).toEqual(['"GetChain"', { error: 'ERR_LINE_TOO_LONG' }, '"GetMempool"'])
  })
})
