/** Reads the service's Prometheus text exposition (GET /metrics) into numbers. */

export interface Sample { name: string, labels: Record<string, string>, value: number }

export async function scrapeMetrics (serviceUrl: string): Promise<Sample[]> {
  const response = await fetch(`${serviceUrl}/metrics`)
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`)
  const samples: Sample[] = []
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line)
    if (!match) continue
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(m => [m[1], m[2]]))
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/** Sum of the samples of `name` whose labels include every pair of `where`. */
export function sumOf (samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter(s => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

/** Where a Node process's memory goes, as prom-client's default metrics report it. */
export function memoryBreakdown (samples: Sample[]) {
  return {
    heapUsedBytes: sumOf(samples, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: sumOf(samples, 'nodejs_heap_size_total_bytes'),
    externalBytes: sumOf(samples, 'nodejs_external_memory_bytes'),
    residentBytes: sumOf(samples, 'process_resident_memory_bytes')
  }
}
