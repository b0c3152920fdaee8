/**
 * The status page in a real headless Chromium (Debian's `chromium`, driven by playwright-core): it
 * loads from a live StatusServer, shows the links and their states, draws the history charts and
 * follows a link going down. Without Chromium it skips on a laptop and fails in CI.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatusServer } from '../../gateway/status/server.js'
import { FakeStatusSource } from './fake-status.js'

const CHROMIUM = '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
const SKIP_REASON = `${CHROMIUM} is missing: apt-get install chromium to run the status page test`
const SCREENSHOT = new URL('../../.tmp/status-page.png', import.meta.url)

if (!haveChromium && process.env.CI === 'true') {
  it('requires Chromium for the status page test', () => {
    throw new Error(`${SKIP_REASON} (CI=true, so this fails instead of skipping)`)
  })
}

/** One hour of minute samples: SNR and RTT wander, the VARA link drops out for ten minutes. */
function fillHistory(server: StatusServer, fake: FakeStatusSource, setTime: (t: number | undefined) => void): void {
  const now = Date.now()
  for (let i = 60; i >= 1; i--) {
    setTime(now - i * 60_000)
    fake.setLink('vhf-packet', { snrDb: 8 + 6 * Math.sin(i / 6), rttMs: 2_000 + 40 * ((i * 37) % 23), loss: ((i * 13) % 10) / 100 })
    fake.setLink('backbone', { rttMs: 30 + ((i * 7) % 20) })
    fake.setLink('hf-vara', i > 20 && i <= 30 ? { state: 'down', bitrateBps: undefined } : { state: 'up', bitrateBps: 300 + 50 * (i % 5), rttMs: 9_000 + 100 * (i % 7), loss: 0.1 })
    server.history.record(fake.read())
  }
  setTime(undefined)
  fake.setLink('hf-vara', { state: 'down', reason: 'modem not answering on 127.0.0.1:8300', bitrateBps: undefined, rttMs: undefined, loss: undefined })
}

describe('status page in Chromium', () => {
  let browser: Browser | undefined
  let server: StatusServer
  let fake: FakeStatusSource
  let page: Page

  beforeAll(async () => {
    if (!haveChromium) return
    let fixedTime: number | undefined
    fake = new FakeStatusSource()
    server = new StatusServer({ source: fake.read, clock: () => fixedTime ?? Date.now() }, { port: 0, history: { intervalMs: 60_000 } })
    fillHistory(server, fake, (t) => (fixedTime = t))
    await server.start()
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows each link with its state in words, and draws the last hour as charts', async (ctx) => {
    if (!haveChromium) return ctx.skip(SKIP_REASON)
    await page.goto(`${server.url}/?refresh=500`)
    await page.locator('[data-link="hf-js8"]').waitFor()
    expect(await page.locator('#station').textContent()).toBe('N0CALL-10')
    for (const [id, state, badge] of [
      ['backbone', 'up', '▲ Up'],
      ['vhf-packet', 'up', '▲ Up'],
      ['hf-vara', 'down', '▼ Down'],
      ['hf-js8', 'starting', '◌ Starting'],
    ] as const) {
      const card = page.locator(`[data-link="${id}"]`)
      expect(await card.getAttribute('data-state')).toBe(state)
      expect(await card.locator('h3').textContent()).toContain(id)
      expect(await card.locator('[data-role="state"]').textContent()).toBe(badge)
    }
    expect(await page.locator('[data-link="hf-vara"] .state-line').textContent()).toContain('modem not answering')

    // The SNR chart of vhf-packet: one line through the 60 history samples (plus any live ones).
    const snr = page.locator('[data-link="vhf-packet"] svg[data-chart="snr"] path.series')
    expect(Number(await snr.getAttribute('data-points'))).toBeGreaterThanOrEqual(60)
    const d = (await snr.getAttribute('d')) ?? ''
    expect(d.match(/[ML]/g)?.length ?? 0).toBeGreaterThanOrEqual(60)
    const box = await snr.boundingBox()
    expect(box?.width ?? 0).toBeGreaterThan(200) // the line spans most of the hour
    // VARA has no SNR: its first chart is the bitrate, broken where the link was down.
    const vara = page.locator('[data-link="hf-vara"] svg[data-chart="bitrate"] path.series')
    expect(((await vara.getAttribute('d')) ?? '').match(/M/g)?.length).toBe(2)
    expect(await page.locator('[data-link="hf-vara"] svg[data-chart="state"] rect.down').count()).toBeGreaterThanOrEqual(10)
    expect(await page.locator('#peers tbody tr[data-peer="N1PEER-10"]').textContent()).toContain('2 / 4 blocks')
  })

  it('shows a link going down after the next refresh, and says when the gateway stops answering', async (ctx) => {
    if (!haveChromium) return ctx.skip(SKIP_REASON)
    fake.setLink('vhf-packet', { state: 'down', reason: 'TNC stopped answering on /dev/ttyUSB0' })
    const card = page.locator('[data-link="vhf-packet"][data-state="down"]')
    await card.waitFor({ timeout: 5_000 })
    expect(await card.locator('[data-role="state"]').textContent()).toBe('▼ Down')
    expect(await card.locator('.state-line').textContent()).toContain('TNC stopped answering')
    expect(await page.locator('#summary').textContent()).toContain('1 of 4 links up')
    expect(await card.locator('svg[data-chart="state"] rect.down').count()).toBeGreaterThanOrEqual(1) // the current state is the newest point

    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true })

    fake.failure = new Error('gateway shutting down')
    await page.locator('#error:not([hidden])').waitFor({ timeout: 5_000 })
    expect(await page.locator('#error').textContent()).toContain('gateway shutting down')
    fake.failure = undefined
  })

  it('fits a 400 px wide screen without sideways scrolling', async (ctx) => {
    if (!haveChromium) return ctx.skip(SKIP_REASON)
    await page.setViewportSize({ width: 400, height: 800 })
    await page.locator('#error[hidden]').waitFor({ state: 'attached', timeout: 5_000 })
    // A string, since tsconfig has no DOM types: runs in the page.
    const widths = (await page.evaluate('({ doc: document.documentElement.scrollWidth, view: window.innerWidth })')) as { doc: number; view: number }
    expect(widths.doc).toBeLessThanOrEqual(widths.view)
    const chart = await page.locator('[data-link="backbone"] svg[data-chart="rtt"]').boundingBox()
    expect(chart?.width ?? 0).toBeGreaterThan(300)
  })
})
