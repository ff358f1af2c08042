import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../schemas/common.ts'
import { type FleetPart, FleetQuery, FleetResponse } from '../schemas/fleet.ts'

const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { fleet } = app.services

  app.get('/fleet', {
    config: { auth: { action: 'read', cluster: 'filtered' } },
    schema: {
      tags: ['fleet'],
      operationId: 'getFleet',
      summary: 'The fleet view of every account and region of the registry in one answer',
      description: 'Every cluster of every (account, region) of the registry that the caller\'s `read` grants reach, each with its `accountId` and `region`, what `include` asks for (as on `GET /clusters?include=`), and `trustedInAccounts`: the accounts of the registry with an IAM OIDC provider for its issuer (one ListOpenIDConnectProviders per account per request). A scope that cannot be swept (role not assumable, region not enabled) is reported on that scope in `scopes`; the others are answered. Each scope is paced by its own EKS limiter and each account by one IAM limiter, and at most `FLEET_SCOPE_CONCURRENCY` scopes are swept at once, so a throttled account slows only its own scopes.',
      querystring: FleetQuery,
      response: { 200: Ref(FleetResponse) }
    }
  }, async (request) => {
    const include = (request.query.include?.split(',') ?? []) as FleetPart[]
    return fleet.sweep(include, request.visibility!)
  })
}

export default fleetRoutes
