/**
 * Scenario 4: `GET /clusters?include=oidc,identityProviderConfigs` over a fleet, with the emulator
 * limiting each AWS service to `rate` requests per second (a token bucket, burst = rate). The floor
 * is the time the calls the sweep needed take at that rate: max over services of
 * (needed calls ÷ rate). Needed calls are those whose final outcome was not a throttle (an absent
 * IAM provider's NoSuchEntity is an answer too), from the service's own metrics; every other call
 * the emulator received was a throttled attempt.
 */
import { scrapeMetrics, sumOf } from '../metrics.ts'
import type { EmulatorProcess, ServiceProcess } from '../processes.ts'

export const FLEET_TARGET = { maxFloorRatio: 1.2, maxFailedClusters: 0 }
const SERVICES = ['eks', 'iam'] as const

export interface FleetRun {
  label: string
  serviceConfig: Record<string, string>
  ratePerService: number
  burst: number
  clusters: number
  failedClusters: number
  clustersWithConfig: number
  clustersWithIrsa: number
  totalSeconds: number
  neededCalls: Record<typeof SERVICES[number], number>
  receivedCalls: Record<typeof SERVICES[number], number>
  /** Calls the emulator received beyond the successful ones: throttled (or failed) attempts. */
  unsuccessfulCalls: number
  floorSeconds: number
  floorRatio: number
  met: boolean
}

interface FleetBody {
  fleet: Array<{ errors?: unknown[], identityProviderConfigs?: unknown[], irsa?: { enabled: boolean } }>
  failedClusters: number
}

const callsByService = (calls: Record<string, number>) => Object.fromEntries(SERVICES.map(service => [
  service, Object.entries(calls).filter(([op]) => op.startsWith(`${service}:`)).reduce((sum, [, count]) => sum + count, 0)
])) as Record<typeof SERVICES[number], number>

async function answeredCalls (service: ServiceProcess) {
  const samples = await scrapeMetrics(service.url)
  const answered = (s: string) => sumOf(samples, 'aws_calls_total', { service: s, outcome: 'success' }) + sumOf(samples, 'aws_calls_total', { service: s, outcome: 'error' })
  return Object.fromEntries(SERVICES.map(s => [s, answered(s)])) as Record<typeof SERVICES[number], number>
}

/** Waits until the emulator has received no call for a while: requests of an earlier load may still be running. */
export async function settle (emulator: EmulatorProcess, quietMs = 500, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = JSON.stringify(await emulator.admin('GET', 'calls'))
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, quietMs))
    const now = JSON.stringify(await emulator.admin('GET', 'calls'))
    if (now === last) return
    last = now
  }
  throw new Error(`the emulator was still receiving calls after ${timeoutMs / 1000} s`)
}

export async function sweepFleet (emulator: EmulatorProcess, service: ServiceProcess, options: { label: string, rate: number, serviceConfig: Record<string, string> }): Promise<FleetRun> {
  const { rate } = options
  await settle(emulator)
  await emulator.admin('POST', 'faults', Object.fromEntries(SERVICES.map(s => [s, { requestsPerSecond: rate }])))
  try {
    const callsBefore = callsByService(await emulator.admin<Record<string, number>>('GET', 'calls'))
    const answeredBefore = await answeredCalls(service)
    const started = performance.now()
    const response = await fetch(`${service.url}/clusters?include=oidc,identityProviderConfigs`, { signal: AbortSignal.timeout(30 * 60_000) })
    const totalSeconds = (performance.now() - started) / 1000
    if (!response.ok) throw new Error(`fleet sweep answered ${response.status}: ${await response.text()}`)
    const body = await response.json() as FleetBody
    const callsAfter = callsByService(await emulator.admin<Record<string, number>>('GET', 'calls'))
    const answeredAfter = await answeredCalls(service)
    const neededCalls = { eks: answeredAfter.eks - answeredBefore.eks, iam: answeredAfter.iam - answeredBefore.iam }
    const receivedCalls = { eks: callsAfter.eks - callsBefore.eks, iam: callsAfter.iam - callsBefore.iam }
    const floorSeconds = Math.max(neededCalls.eks, neededCalls.iam) / rate
    const floorRatio = totalSeconds / floorSeconds
    const failedClusters = body.fleet.filter(entry => entry.errors?.length).length
    return {
      label: options.label,
      serviceConfig: options.serviceConfig,
      ratePerService: rate,
      burst: rate,
      clusters: body.fleet.length,
      failedClusters,
      clustersWithConfig: body.fleet.filter(entry => entry.identityProviderConfigs?.length).length,
      clustersWithIrsa: body.fleet.filter(entry => entry.irsa?.enabled).length,
      totalSeconds,
      neededCalls,
      receivedCalls,
      unsuccessfulCalls: receivedCalls.eks + receivedCalls.iam - neededCalls.eks - neededCalls.iam,
      floorSeconds,
      floorRatio,
      met: floorRatio <= FLEET_TARGET.maxFloorRatio && failedClusters <= FLEET_TARGET.maxFailedClusters
    }
  } finally {
    await emulator.admin('POST', 'faults', Object.fromEntries(SERVICES.map(s => [s, null])))
  }
}
