/**
 * Every route of the API, one plugin per URL resource; the folders follow the URL
 * (routes/clusters/identity-provider-configs/ serves /clusters/:name/identity-provider-configs…).
 * Cluster routes are registered twice (CLUSTER_ROUTES). See routes/README.md for how to add one.
 */
import type { FastifyPluginAsync } from 'fastify'
import accessPolicies from './access-policies.ts'
import audit from './audit.ts'
import accessEntries from './clusters/access-entries/index.ts'
import associatedAccessPolicies from './clusters/access-entries/access-policies.ts'
import authenticationMode from './clusters/authentication-mode.ts'
import clusters from './clusters/index.ts'
import identityProviderConfigs from './clusters/identity-provider-configs/index.ts'
import rbac from './clusters/identity-provider-configs/rbac.ts'
import tokenReviews from './clusters/identity-provider-configs/token-reviews.ts'
import oidcProvider from './clusters/oidc-provider.ts'
import oidcProviderAccounts from './clusters/oidc-provider-accounts.ts'
import clusterOperations from './clusters/operations.ts'
import principals from './clusters/principals.ts'
import trustPolicy from './clusters/trust-policy.ts'
import updates from './clusters/updates.ts'
import podIdentityAssociations from './clusters/pod-identity-associations.ts'
import podIdentityMigration from './clusters/pod-identity-migration.ts'
import serviceAccountPodIdentity from './clusters/service-accounts/pod-identity.ts'
import serviceAccountPodIdentityPreflight from './clusters/service-accounts/pod-identity-preflight.ts'
import health from './health.ts'
import issuers from './issuers.ts'
import metrics from './metrics.ts'
import openapi from './openapi.ts'
import operations from './operations.ts'
import { ACCOUNT_SCOPE_PREFIX } from '../src/plugins/scope.ts'
import accounts from './accounts.ts'
import fleet from './fleet.ts'
import { inAccountScope } from './support/account-scope.ts'
import { documentProblems } from './support/problems.ts'

/** Every route file under /clusters: each is served as /clusters/... and as /accounts/{accountId}/regions/{region}/clusters/.... */
export const CLUSTER_ROUTES = [
  clusters, oidcProvider, oidcProviderAccounts, trustPolicy, identityProviderConfigs, tokenReviews, rbac, updates, clusterOperations,
  podIdentityAssociations, podIdentityMigration, serviceAccountPodIdentity, serviceAccountPodIdentityPreflight,
  accessEntries, associatedAccessPolicies, authenticationMode, principals
]

const routes: FastifyPluginAsync = async (app) => {
  // Before any route is added, so that every one documents the problems it can answer.
  app.addHook('onRoute', documentProblems)
  await app.register(health)
  await app.register(metrics)
  await app.register(openapi)
  for (const plugin of CLUSTER_ROUTES) await app.register(plugin)
  await app.register(async (inAccount) => {
    inAccount.addHook('onRoute', inAccountScope)
    for (const plugin of CLUSTER_ROUTES) await inAccount.register(plugin)
  }, { prefix: ACCOUNT_SCOPE_PREFIX })
  await app.register(accounts)
  await app.register(fleet)
  await app.register(operations)
  await app.register(issuers)
  await app.register(audit)
  await app.register(accessPolicies)
}

export default routes
