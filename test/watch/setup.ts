/** A watcher on fake EKS ports and fake timers, with a way to start updates and count polls. */
import { ClusterService } from '../../src/services/clusters.ts'
import { IdentityProviderConfigService } from '../../src/services/identity-provider-configs.ts'
import { UpdateWatcher, type WatchEvent } from '../../src/watch/update-watcher.ts'
import { createFakeAws } from '../support/fake-aws.ts'
import { FakeTimers } from './fake-timers.ts'

export const INITIAL_MS = 100
export const MAX_MS = 400

export function watcherSetup () {
  const aws = createFakeAws([{ name: 'demo' }, { name: 'staging' }])
  const timers = new FakeTimers()
  const identityProviderConfigs = new IdentityProviderConfigService({ eks: aws.eks, clusters: new ClusterService({ eks: aws.eks }), issuers: { preflightIssuer: async () => [] } })
  const pollTimes: number[] = []
  const listenerErrors: unknown[] = []
  const watcher = new UpdateWatcher({
    describeUpdate: (clusterName, updateId) => {
      pollTimes.push(timers.now())
      return identityProviderConfigs.describeUpdate(clusterName, updateId)
    },
    initialIntervalMs: INITIAL_MS,
    maxIntervalMs: MAX_MS,
    timers,
    onError: (error) => { listenerErrors.push(error) }
  })

  /** Starts a real (fake) association, answering its update id (one config per cluster, as in EKS). */
  async function startUpdate (name = 'corp', clusterName = 'demo') {
    const out = await aws.eks.associateIdentityProviderConfig({
      clusterName,
      oidc: { identityProviderConfigName: name, issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }
    })
    return out.update!.id!
  }

  /** Subscribes and records every event the listener receives. */
  function record (updateId: string, clusterName = 'demo') {
    const events: WatchEvent[] = []
    const subscription = watcher.subscribe(clusterName, updateId, event => { events.push(event) })
    return { events, subscription, statuses: () => events.map(e => e.kind === 'state' ? e.update.status : e.kind) }
  }

  const describeCalls = () => aws.operations().filter(op => op === 'DescribeUpdate').length

  return { aws, timers, watcher, pollTimes, listenerErrors, startUpdate, record, describeCalls }
}
