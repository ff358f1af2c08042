import { Writable } from 'node:stream'

/** A stream to hand a logger (e.g. buildApp's `deps.logStream`), and every line written to it. */
export function capturedLog () {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  return { lines, stream }
}
