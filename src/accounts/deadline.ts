/** Bounds a call that may hang: past `ms`, it rejects with a TimeoutError (the call itself runs on, bounded by the SDK's own timeouts). */
export function withDeadline<T> (work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not answer within ${ms} ms`), { name: 'TimeoutError' })), ms)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}
