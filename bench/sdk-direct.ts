/**
 * A diagnostic for scenario 1: the AWS SDK v3 EKS client calling the emulator directly, one call
 * at a time, from the load generator's process. It tells how much of the service's added latency
 * is the SDK's own per-call work (middleware stack, SigV4 signing, parsing) rather than the service.
 */
import { DescribeIdentityProviderConfigCommand, EKSClient } from '@aws-sdk/client-eks'
import type { LoadResult } from './load.ts'
import { CONFIG_NAME, READ_CLUSTER } from './seed.ts'
import { percentile } from './stats.ts'

export async function sdkDirectDescribe (endpoint: string, seconds: number, warmupSeconds: number): Promise<LoadResult> {
  const client = new EKSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const command = () => new DescribeIdentityProviderConfigCommand({ clusterName: READ_CLUSTER, identityProviderConfig: { type: 'oidc', name: CONFIG_NAME } })
  try {
    const warmEnd = performance.now() + warmupSeconds * 1000
    while (performance.now() < warmEnd) await client.send(command())
    const latencies: number[] = []
    const started = performance.now()
    const end = started + seconds * 1000
    while (performance.now() < end) {
      const t = performance.now()
      await client.send(command())
      latencies.push(performance.now() - t)
    }
    const durationSeconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    return {
      connections: 1,
      durationSeconds,
      requests: latencies.length,
      requestsPerSecond: latencies.length / durationSeconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      meanMs: latencies.reduce((sum, v) => sum + v, 0) / latencies.length,
      non2xx: 0,
      errors: 0,
      statusCodes: { 200: latencies.length }
    }
  } finally {
    client.destroy()
  }
}
