/**
 * `bunker-gateway demo`: the whole story on simulated hardware, narrated for a newcomer (see
 * gateway/demo/story.ts), then a summary; `--keep-running` leaves everything up for exploring,
 * `--codecs` shows the byte-level codec tour instead.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import type { DemoRig } from './demo/demo-rig.js'
import type { Narrator, Print } from './demo/narrator.js'
import { EXIT } from './exit-codes.js'

/** How long traffic stays on a fallback after the better link is good again, ms (the default is a minute). */
const DEMO_DWELL_MS = 5_000

/** Help for `demo`. */
export const DEMO_HELP = `bunker-gateway demo [--keep-running] [--codecs]

Shows what the gateway does, on simulated hardware only (no radio, nothing installed beyond npm ci).
It starts two simulated Bunkercoin nodes and two gateways, N0AAA-1 and N0BBB-2, each with its own
node, joined by three simulated radio links: VARA HF (two simulated modems), AX.25 packet (two
simulated KISS TNCs, on real serial ptys when socat is installed, else KISS over TCP) and JS8Call
(two simulated JS8Calls at Turbo speed). The radio channels run faster than real time.

Then it tells, one line per event with the time since the start:
  1. the setup, and the status page of each gateway;
  2. node A mines blocks and sends a transaction: which link carries what, how many bytes, against
     the node's own NDJSON; the compact block at node B; both nodes end on the same tip;
  3. station A's VARA modem is switched off: the failover, and a transaction that still arrives
     exactly once;
  4. the modem is switched on again: traffic returns to VARA after the dwell time (${DEMO_DWELL_MS / 1000} s here);
and ends with a table of what each link carried. It takes well under a minute and exits 0. The
gateways' own log lines (JSON) go to a file in a temp directory; its path is printed at the end.

Options:
  --keep-running  leave everything up after the story, to look at the status pages; Ctrl-C stops
  --codecs        instead, show byte by byte what each message costs in every format (no links)
  -h, --help      this text

Exit codes: 0 the story was told, 1 something the story waits for did not happen (it says what) or
Ctrl-C stopped it first.
`

/** Runs `demo` with its arguments; `stop` (the entry resolves it on Ctrl-C) ends the story or `--keep-running`. */
export async function demoCommand(args: string[], print: Print, stop: Promise<void>): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, 'keep-running': { type: 'boolean' }, codecs: { type: 'boolean' } } })
  if (values.help === true) {
    print(DEMO_HELP)
    return EXIT.OK
  }
  if (values.codecs === true) {
    const { runCodecTour } = await import('./demo/codec-tour.js')
    await runCodecTour(print)
    return EXIT.OK
  }
  return story(print, values['keep-running'] === true, stop)
}

/** The story, loaded only by `demo` (the other commands stay quick on a Pi). */
async function story(print: Print, keep: boolean, stop: Promise<void>): Promise<number> {
  const [{ startDemoRig }, { DEMO_LINK_IDS }, { Narrator }, { tellStory }, { isDemoError }] = await Promise.all([
    import('./demo/demo-rig.js'), import('./demo/demo-links.js'), import('./demo/narrator.js'), import('./demo/story.js'), import('./demo/demo-error.js'),
  ])
  print('bunker-gateway demo: Bunkercoin over simulated radio')
  const n = new Narrator(print, DEMO_LINK_IDS, DEMO_DWELL_MS)
  n.say('starting the simulators, two nodes and two gateways')
  const rig = await startDemoRig(DEMO_DWELL_MS)
  const interrupt = new AbortController()
  void stop.then(() => interrupt.abort())
  try {
    n.follow({ gateway: rig.a.gateway, station: rig.a.station.id, nodeName: 'node A' })
    n.follow({ gateway: rig.b.gateway, station: rig.b.station.id, nodeName: 'node B' })
    const told = await tellStory(rig, n, interrupt.signal).then(
      () => true,
      (e: unknown) => {
        if (!isDemoError(e)) throw e
        n.say(e.code === 'ERR_DEMO_INTERRUPTED' ? 'stopped (Ctrl-C) before the end of the story' : `the demo stopped: ${e.message}`)
        return false
      },
    )
    summary(n, rig, told)
    if (told && keep) await keepRunning(n, rig, stop)
    return told ? EXIT.OK : EXIT.FAILURE
  } finally {
    n.unfollow()
    await rig.close()
    print(`stopped. The gateways' log: ${rig.logFile}`)
  }
}

function summary(n: Narrator, rig: DemoRig, told: boolean): void {
  n.chapter(told ? '5. What each link carried (both directions, bytes as handed to the link)' : 'What each link carried until then')
  for (const line of n.tally.table()) n.plain(`   ${line}`)
  n.plain('   tx+blocks: messages carrying a transaction or a block; "as NDJSON": the same data as the node\'s own P2P lines')
  if (!told) n.plain(`   the gateways' log says why: ${rig.logFile}`)
}

async function keepRunning(n: Narrator, rig: DemoRig, stop: Promise<void>): Promise<void> {
  n.chapter('Everything keeps running (--keep-running); press Ctrl-C to stop')
  for (const side of [rig.a, rig.b]) n.plain(`   ${side.station.id}: status page ${side.gateway.statusUrl ?? '(off)'}  (/status JSON, /metrics)`)
  await stop
}
