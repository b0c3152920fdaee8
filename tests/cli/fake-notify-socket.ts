/**
 * A stand-in for systemd's notify socket: an AF_UNIX datagram socket bound by a small python3
 * program (Node cannot open one), which prints each datagram as a JSON string line and, like PID 1,
 * closes the file descriptors passed with it, so `systemd-notify`'s barrier completes. (socat keeps
 * them open and the barrier times out after 5 s.)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const RECEIVER = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps(data.decode()), flush=True)
`

/** A bound fake notify socket and the messages it received (BARRIER=1 left out). */
export interface FakeNotifySocket {
  /** Value for `$NOTIFY_SOCKET`. */
  readonly path: string
  readonly messages: string[]
  close(): Promise<void>
}

/** Binds a fake notify socket in a fresh temporary directory; resolves once it listens. */
export async function startFakeNotifySocket(): Promise<FakeNotifySocket> {
  const dir = await mkdtemp(join(tmpdir(), 'bgw-notify-'))
  const path = join(dir, 'notify.sock')
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  const messages: string[] = []
  const lines = createInterface({ input: child.stdout! })
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`fake notify socket exited with ${code}`)))
    lines.on('line', (line) => {
      const message = JSON.parse(line) as string
      if (message === 'listening') resolve()
      else if (message !== 'BARRIER=1') messages.push(message)
    })
  })
  child.removeAllListeners('exit')
  return {
    path,
    messages,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
