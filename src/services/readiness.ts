/** Readiness: named probes, each throwing when its dependency is unusable; run on each /readyz. */
export type ReadinessCheck = () => Promise<void>

export interface ReadinessReport {
  ready: boolean
  checks: Record<string, string>
}

export class ReadinessService {
  readonly #checks = new Map<string, ReadinessCheck>()

  add (name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check)
  }

  async report (): Promise<ReadinessReport> {
    const results = await Promise.all([...this.#checks].map(async ([name, check]) => {
      try {
        await check()
        return [name, 'ok'] as const
      } catch (error) {
        return [name, (error as Error).message] as const
      }
    }))
    return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) }
  }
}
