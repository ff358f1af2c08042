/**
 * What `npm start` runs, read from package.json: `node <V8 and Node flags> <built entry>`. The
 * benchmark starts the service with exactly this, and a test holds the Dockerfile to the same.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface StartCommand {
  /** Flags given to node before the entry, in order. */
  nodeFlags: string[]
  /** The entry, relative to the project root (the build's output). */
  entry: string
}

export function parseStartScript (script: string): StartCommand {
  const [program, ...rest] = script.trim().split(/\s+/)
  const entry = rest.pop()
  if (program !== 'node' || entry === undefined || entry.startsWith('-') || rest.some(word => !word.startsWith('--'))) {
    throw new Error(`the start script must read "node [--flag ...] <entry>", not "${script}"`)
  }
  return { nodeFlags: rest, entry }
}

export async function startCommand (): Promise<StartCommand> {
  const manifest = JSON.parse(await readFile(new URL('package.json', `file://${PROJECT_ROOT}`), 'utf8')) as { scripts: { start: string } }
  return parseStartScript(manifest.scripts.start)
}
