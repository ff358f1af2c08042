/** A minimal Server-Sent Events reader over undici's fetch, for tests on a loopback server. */
import { fetch } from 'undici'

export interface SseBlock { event?: string, id?: string, data?: string, retry?: string, comment?: string }

export async function openEventStream (url: string, signal?: AbortSignal) {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''

  /** The next block (event, comment or retry advice), or null once the server closed the stream. */
  async function next (): Promise<SseBlock | null> {
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        return parse(block)
      }
      const { value, done } = await reader.read()
      if (done) return null
      buffer += value
    }
  }

  /** Blocks until the next event (comments and retry advice skipped, but counted). */
  let comments = 0
  async function nextEvent () {
    for (;;) {
      const block = await next()
      if (!block || block.event) return block
      if (block.comment !== undefined) comments++
    }
  }

  return { response, next, nextEvent, comments: () => comments }
}

function parse (block: string): SseBlock {
  const out: SseBlock = {}
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) out.comment = line.slice(1).trim()
    const match = /^(event|id|data|retry): ?(.*)$/.exec(line)
    if (match) out[match[1] as 'event' | 'id' | 'data' | 'retry'] = match[2]
  }
  return out
}
