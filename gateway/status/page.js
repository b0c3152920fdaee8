// The status page's script: fetches /status and /history every few seconds and draws the page with
// DOM calls (textContent only: station names, reasons and peer names come off the air, so nothing is
// parsed as HTML). Charts are hand-drawn SVG. No build step, no library, no network beyond this server.
'use strict'
;(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg'
  /** ms between refreshes; `?refresh=2000` overrides it (500 ms to 60 s). */
  const REFRESH_MS = refreshFromQuery(5_000)
  /** ms of history the charts show. */
  const WINDOW_MS = 3_600_000
  /** Chart geometry, SVG user units. */
  const CHART = { width: 360, height: 64, left: 44, right: 6, top: 6, bottom: 14 }
  const STATE_TEXT = { up: '▲ Up', down: '▼ Down', starting: '◌ Starting', stopped: '■ Stopped' }
  const KIND_TEXT = { tcp: 'TCP', ax25: 'AX.25 packet', vara: 'VARA', js8call: 'JS8Call' }

  let lastOkAt = 0

  function refreshFromQuery(fallback) {
    const asked = Number(new URLSearchParams(location.search).get('refresh'))
    return Number.isFinite(asked) && asked > 0 ? Math.min(60_000, Math.max(500, asked)) : fallback
  }

  // ---- DOM helpers ----

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, String(v))
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c))
    return node
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag)
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, String(v))
    if (text !== undefined) node.textContent = text
    return node
  }

  /** A definition-list entry; `value` undefined shows a dash. */
  function fact(label, value, attrs) {
    return el('div', attrs, el('dt', null, label), el('dd', null, value ?? '–'))
  }

  // ---- formatting ----

  function bytes(n) {
    if (n < 1_000) return `${n} B`
    if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} kB`
    return `${(n / 1_000_000).toFixed(1)} MB`
  }

  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1_000))
    if (s < 60) return `${s} s`
    if (s < 3_600) return `${Math.floor(s / 60)} min`
    const h = Math.floor(s / 3_600)
    return h < 48 ? `${h} h ${Math.floor((s % 3_600) / 60)} min` : `${Math.floor(h / 24)} days`
  }

  function clockTime(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  }

  function round(v, digits) {
    return Number(v.toFixed(digits)).toLocaleString()
  }

  function percent(ratio) {
    return ratio === undefined ? undefined : `${round(ratio * 100, ratio < 0.1 ? 1 : 0)} %`
  }

  function unit(v, suffix, digits = 1) {
    return v === undefined ? undefined : `${round(v, digits)} ${suffix}`
  }

  function shortHash(h) {
    return h === null || h === undefined ? undefined : h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-8)}` : h
  }

  // ---- data ----

  async function getJson(path) {
    const res = await fetch(path, { cache: 'no-store' })
    const body = await res.json().catch(() => undefined)
    if (!res.ok) throw new Error(body && typeof body.error === 'string' ? body.error : `${path} answered HTTP ${res.status}`)
    return body
  }

  async function refresh() {
    try {
      const [status, history] = await Promise.all([getJson('status'), getJson('history')])
      render(status, history)
      lastOkAt = Date.now()
      showError(undefined)
    } catch (e) {
      const since = lastOkAt === 0 ? 'nothing shown yet' : `the page shows the state of ${clockTime(lastOkAt)}`
      showError(`Cannot read the gateway status (${e.message}); ${since}. Retrying every ${REFRESH_MS / 1_000} s.`)
    } finally {
      setTimeout(refresh, REFRESH_MS)
    }
  }

  function showError(message) {
    const box = document.getElementById('error')
    box.hidden = message === undefined
    box.textContent = message ?? ''
  }

  // ---- rendering ----

  function render(status, history) {
    renderHeader(status)
    renderChain(status)
    renderLinks(status, history)
    renderPeers(status)
    document.getElementById('footer').textContent =
      `bunker-gateway ${status.version} · started ${new Date(status.startedAt).toLocaleString()} · ` +
      `updated ${clockTime(status.now)} · refreshes every ${REFRESH_MS / 1_000} s · ` +
      `history: one sample every ${history.intervalMs / 1_000} s`
  }

  function renderHeader(status) {
    document.title = `${status.station}: bunker gateway`
    document.getElementById('station').textContent = status.station
    document.getElementById('role').textContent = status.role === 'relay' ? '(relay, no node of its own)' : '(gateway)'
    const up = status.links.filter((l) => l.state === 'up').length
    document.getElementById('summary').textContent =
      `${up} of ${status.links.length} links up · chain height ${status.chain.height.toLocaleString()} · ` +
      `${status.peers.length} peer${status.peers.length === 1 ? '' : 's'} · running for ${duration(status.now - status.startedAt)}`
  }

  function renderChain(status) {
    const c = status.counters
    const node = status.node
    document.getElementById('chain').replaceChildren(
      fact('Height', status.chain.height.toLocaleString(), { 'data-fact': 'height' }),
      fact('Tip', el('span', { class: 'mono', title: status.chain.tip ?? 'no blocks yet' }, shortHash(status.chain.tip) ?? 'none yet')),
      fact('Mempool', `${status.chain.mempool} tx`),
      fact('Node', node === undefined ? 'none (relay)' : `${node.connected ? 'connected' : 'NOT connected'}, ${node.queued} queued`),
      fact('Relayed', `${c.txRelayed} tx, ${c.blocksRelayed} blocks`),
      fact('Rejected', c.rejected),
      fact('Failovers', c.failovers),
    )
  }

  function renderLinks(status, history) {
    const box = document.getElementById('links')
    if (status.links.length === 0) {
      box.replaceChildren(el('p', { class: 'muted' }, 'No links configured.'))
      return
    }
    box.replaceChildren(...status.links.map((link) => linkCard(link, status.now, history)))
  }

  function linkCard(link, now, history) {
    const since = link.stateSince === undefined ? '' : ` for ${duration(now - link.stateSince)}`
    const head = el(
      'div',
      { class: 'link-head' },
      el('h3', null, link.id, el('span', { class: 'kind' }, KIND_TEXT[link.kind] ?? link.kind)),
      el('span', { class: `badge ${link.state}`, 'data-role': 'state' }, STATE_TEXT[link.state] ?? link.state),
    )
    const stateLine = el('p', { class: 'state-line' }, `${link.state}${since}${link.reason ? `: ${link.reason}` : ''}`)
    return el(
      'article',
      { class: `link state-${link.state}`, 'data-link': link.id, 'data-state': link.state, 'aria-label': `Link ${link.id}, ${link.state}` },
      head,
      stateLine,
      readings(link, now),
      charts(link, now, history),
    )
  }

  function readings(link, now) {
    const heard = link.lastHeardAt === undefined ? undefined : `${duration(now - link.lastHeardAt)} ago`
    return el(
      'dl',
      { class: 'readings' },
      fact('SNR', unit(link.snrDb, 'dB')),
      fact('RTT', link.rttMs === undefined ? undefined : link.rttMs < 1_000 ? unit(link.rttMs, 'ms', 0) : unit(link.rttMs / 1_000, 's')),
      fact('Loss', percent(link.loss)),
      fact('Goodput', unit(link.goodputBps, 'B/s')),
      fact('Bitrate', unit(link.bitrateBps, 'bit/s', 0)),
      fact('Available', percent(link.availability)),
      fact('Sent', bytes(link.bytesSent)),
      fact('Received', bytes(link.bytesReceived)),
      fact('Heard', heard),
      ...(link.budgetLeft === undefined ? [] : [fact('Budget left', percent(link.budgetLeft))]),
      ...(link.busy ? [fact('Channel', 'busy')] : []),
      ...(link.stale ? [fact('Readings', 'stale')] : []),
    )
  }

  // ---- charts ----

  /** `[t, value]` pairs of one link field, skipping samples where it is unknown. */
  function series(samples, linkId, field) {
    const points = []
    for (const s of samples) {
      const v = s.links[linkId]?.[field]
      if (typeof v === 'number') points.push([s.t, v])
    }
    return points
  }

  /** The link's charts: its history samples plus its current status as the newest point, so a change shows at once. */
  function charts(link, now, history) {
    const linkId = link.id
    const t1 = Math.max(now, history.now)
    const t0 = t1 - WINDOW_MS
    const samples = history.samples.filter((s) => s.t >= t0 && s.links[linkId] !== undefined)
    if ((samples.at(-1)?.t ?? -Infinity) < now) samples.push({ t: now, links: { [linkId]: { ...link, up: link.state === 'up' } } })
    const gapMs = history.intervalMs * 2.5 // a longer silence breaks the line
    const specs = [
      qualitySpec(link.kind, samples, linkId),
      { name: 'rtt', title: 'RTT', unit: 'ms', points: series(samples, linkId, 'rttMs'), zero: true },
      { name: 'loss', title: 'Loss', unit: '%', points: series(samples, linkId, 'loss').map(([t, v]) => [t, v * 100]), range: [0, 100] },
    ]
    return el(
      'div',
      { class: 'charts' },
      ...specs.map((spec) => lineChart(linkId, spec, t0, t1, gapMs)),
      stateStrip(linkId, samples, t0, t1, history.intervalMs),
    )
  }

  /** The quality chart: SNR where the link reports it, else the modem bitrate, else goodput (TCP has neither). */
  function qualitySpec(kind, samples, linkId) {
    const candidates = [
      { name: 'snr', title: 'SNR', unit: 'dB', points: series(samples, linkId, 'snrDb') },
      { name: 'bitrate', title: 'Bitrate', unit: 'bit/s', points: series(samples, linkId, 'bitrateBps'), zero: true },
      { name: 'goodput', title: 'Goodput', unit: 'B/s', points: series(samples, linkId, 'goodputBps'), zero: true },
    ]
    return candidates.find((c) => c.points.length > 0) ?? candidates[kind === 'tcp' ? 2 : 0]
  }

  function yRange(values, spec) {
    if (spec.range) return spec.range
    let lo = Math.min(...values)
    let hi = Math.max(...values)
    if (spec.zero) lo = Math.min(0, lo)
    if (hi - lo < 1e-9) {
      hi += 1
      lo = spec.zero ? lo : lo - 1
    }
    const pad = (hi - lo) * 0.08
    return [spec.zero && lo === 0 ? 0 : lo - pad, hi + pad]
  }

  /** An SVG line chart of `spec.points` over [t0, t1]; breaks the line over gaps longer than `gapMs`. */
  function lineChart(linkId, spec, t0, t1, gapMs) {
    const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART
    const plotW = W - L - R
    const plotH = H - T - B
    const last = spec.points.at(-1)
    const caption = el(
      'figcaption',
      null,
      `${spec.title}, ${spec.unit}: `,
      el('b', null, last === undefined ? 'no readings' : round(last[1], 1)),
      last === undefined ? '' : ` now, last hour ${round(Math.min(...spec.points.map((p) => p[1])), 1)} to ${round(Math.max(...spec.points.map((p) => p[1])), 1)}`,
    )
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${linkId} ${caption.textContent}`, 'data-chart': spec.name })
    root.append(svg('rect', { class: 'frame', x: L, y: T, width: plotW, height: plotH }))
    for (const [frac, label] of [[0, '−60 min'], [0.5, '−30 min'], [1, 'now']]) {
      root.append(svg('text', { class: 'axis', x: L + frac * plotW, y: H - 2, 'text-anchor': frac === 0 ? 'start' : frac === 1 ? 'end' : 'middle' }, label))
    }
    if (spec.points.length === 0) {
      root.append(svg('text', { class: 'empty', x: L + plotW / 2, y: T + plotH / 2 + 4, 'text-anchor': 'middle' }, 'no readings in the last hour'))
      return el('figure', { class: 'chart' }, caption, root)
    }
    const [lo, hi] = yRange(spec.points.map((p) => p[1]), spec)
    const x = (t) => L + ((t - t0) / (t1 - t0)) * plotW
    const y = (v) => T + (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * plotH
    for (const [v, dy] of [[hi, 8], [lo, 0]]) {
      root.append(svg('line', { class: 'grid', x1: L, x2: L + plotW, y1: y(v), y2: y(v) }))
      root.append(svg('text', { class: 'axis', x: L - 4, y: y(v) + dy, 'text-anchor': 'end' }, axisLabel(v, hi - lo)))
    }
    root.append(svg('path', { class: 'series', d: pathData(spec.points, x, y, gapMs), 'data-points': spec.points.length }))
    return el('figure', { class: 'chart' }, caption, root)
  }

  /** A short y-axis label: one decimal on small ranges, thousands as k. */
  function axisLabel(v, span) {
    if (Math.abs(v) >= 10_000) return `${round(v / 1_000, 0)}k`
    return round(v, span < 10 ? 1 : 0)
  }

  /** SVG path data: a polyline, a new subpath after a gap, a dot (zero-length segment) for a lone point. */
  function pathData(points, x, y, gapMs) {
    const parts = []
    let prevT
    for (const [t, v] of points) {
      const cmd = prevT === undefined || t - prevT > gapMs ? 'M' : 'L'
      parts.push(`${cmd}${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      prevT = t
    }
    return parts.join(' ').replace(/(M[\d.,-]+)(?= M|$)/g, '$1 h0.01')
  }

  /** A strip coloured by state over the hour, with the share of time up written out (not colour alone). */
  function stateStrip(linkId, samples, t0, t1, intervalMs) {
    const { width: W, left: L, right: R } = CHART
    const plotW = W - L - R
    const root = svg('svg', { viewBox: `0 0 ${W} 10`, class: 'strip', role: 'img', 'data-chart': 'state' })
    const x = (t) => L + ((Math.max(t0, Math.min(t1, t)) - t0) / (t1 - t0)) * plotW
    samples.forEach((s, i) => {
      const state = s.links[linkId].state
      const end = Math.min(samples[i + 1]?.t ?? t1, s.t + intervalMs * 2.5) // a longer silence stays blank
      const rect = svg('rect', { class: state, x: x(s.t), y: 1, width: Math.max(0.5, x(end) - x(s.t)) + 0.4, height: 8 }) // overlap: no hairline seams
      rect.append(svg('title', null, `${clockTime(s.t)}: ${state}`))
      root.append(rect)
    })
    const up = samples.filter((s) => s.links[linkId].up).length
    const text =
      samples.length === 0 ? 'State: no samples yet' : `State: up in ${Math.round((up / samples.length) * 100)} % of ${samples.length} samples`
    root.setAttribute('aria-label', `${linkId} ${text}`)
    return el('figure', { class: 'chart' }, el('figcaption', null, text), root)
  }

  // ---- peers ----

  function renderPeers(status) {
    const body = document.querySelector('#peers tbody')
    if (status.peers.length === 0) {
      body.replaceChildren(el('tr', null, el('td', { colspan: 8, class: 'empty' }, 'No peer gateways heard yet.')))
      return
    }
    body.replaceChildren(...status.peers.map((p) => peerRow(p, status.now)))
  }

  function peerRow(p, now) {
    const heard = Object.entries(p.heard)
      .sort((a, b) => b[1] - a[1])
      .map(([link, at]) => `${link} ${duration(now - at)} ago`)
      .join(', ')
    const sync = p.sync === undefined ? '–' : `${p.sync.done} / ${p.sync.total} blocks`
    return el(
      'tr',
      { 'data-peer': p.name },
      el('th', { scope: 'row' }, p.name),
      el('td', { title: p.tip ?? '' }, p.height === undefined ? '–' : p.height.toLocaleString()),
      el('td', null, p.currentLink ?? 'none'),
      el('td', { class: 'num' }, p.queued),
      el('td', { class: 'num' }, p.inFlight),
      el('td', { class: 'num' }, bytes(p.pendingBytes)),
      el('td', null, sync),
      el('td', null, heard || 'never'),
    )
  }

  refresh()
})()
