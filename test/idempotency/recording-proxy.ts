/**
 * A loopback HTTP proxy between the service and the AWS emulator. It records every EKS write
 * (associate, disassociate) with the clientRequestToken it carried, always lets the request reach
 * the emulator in full (as AWS keeps processing a request whose caller gave up), and can withhold
 * the emulator's answer: the change is made, but the service never learns it.
 */
import { once } from 'node:events'
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

const EKS_WRITE = /^\/clusters\/([^/]+)\/identity-provider-configs\/(associate|disassociate)$/

export interface EksWrite {
  cluster: string
  operation: 'associate' | 'disassociate'
  clientRequestToken: string | undefined
  /** The emulator's status, once it answered. */
  answeredStatus?: number
}

export interface RecordingProxy {
  url: string
  /** Every EKS write that came through, in arrival order. */
  readonly writes: EksWrite[]
  /** Every request that came through (`GET /clusters/demo/updates/…`), in arrival order. */
  readonly requests: string[]
  /** While true, the emulator's answers to writes are not passed on; the connection stays open. */
  holdWriteAnswers: boolean
  /** Resolves once the emulator has answered `count` writes in all. */
  writesAnswered (count: number, timeoutMs?: number): Promise<void>
  close (): Promise<void>
}

async function readAll (stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function tokenOf (body: Buffer): string | undefined {
  try {
    const token = (JSON.parse(body.toString('utf8')) as { clientRequestToken?: unknown }).clientRequestToken
    return typeof token === 'string' ? token : undefined
  } catch {
    return undefined
  }
}

export async function startRecordingProxy (upstreamUrl: string): Promise<RecordingProxy> {
  const upstream = new URL(upstreamUrl)
  const writes: EksWrite[] = []
  const requests: string[] = []
  let answered = 0
  const waiters: Array<{ count: number, resolve: () => void }> = []

  const server = createServer((req, res) => {
    (async () => {
      const body = await readAll(req)
      const path = (req.url ?? '/').split('?')[0]
      requests.push(`${req.method} ${path}`)
      const match = req.method === 'POST' ? EKS_WRITE.exec(path) : null
      const write: EksWrite | undefined = match
        ? { cluster: decodeURIComponent(match[1]), operation: match[2] as EksWrite['operation'], clientRequestToken: tokenOf(body) }
        : undefined
      if (write) writes.push(write)

      const forwarded = httpRequest({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers
      })
      forwarded.end(body)
      const [answer] = await once(forwarded, 'response') as [IncomingMessage]
      const answerBody = await readAll(answer)
      if (write) {
        write.answeredStatus = answer.statusCode
        answered++
        for (const waiter of waiters.filter((w) => answered >= w.count)) waiter.resolve()
        if (proxy.holdWriteAnswers) return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      res.end(answerBody)
    })().catch(() => res.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')

  const proxy: RecordingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    requests,
    holdWriteAnswers: false,
    writesAnswered (count, timeoutMs = 30_000) {
      if (answered >= count) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the emulator answered ${answered} of ${count} EKS writes within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({ count, resolve: () => { clearTimeout(timer); resolve() } })
      })
    },
    async close () {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
  return proxy
}
