import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'

/** SIGTERM, then SIGKILL if the child has not exited within `timeoutMs`; resolves once it has exited. */
export async function stopChild (child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await exited
  clearTimeout(timer)
}
