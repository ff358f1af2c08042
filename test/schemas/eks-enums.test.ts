/** The status enumerations of the schemas are those of the EKS model the SDK was generated from. */
import { ClusterStatus, ConfigStatus, UpdateStatus } from '@aws-sdk/client-eks'
import t from 'tap'
import { CLUSTER_STATUSES, CONFIG_STATUSES, UPDATE_STATUSES } from '../../schemas/eks.ts'

t.test('cluster, config and update statuses match the SDK', async t => {
  t.same([...CLUSTER_STATUSES].sort(), Object.values(ClusterStatus).sort())
  t.same([...CONFIG_STATUSES].sort(), Object.values(ConfigStatus).sort())
  t.same([...UPDATE_STATUSES].sort(), Object.values(UpdateStatus).sort())
})
