import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ListAccountsQuery, ListAccountsResponse } from '../schemas/accounts.ts'
import { Ref } from '../schemas/common.ts'

const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app.services

  app.get('/accounts', {
    config: { auth: { action: 'read', cluster: 'none' } },
    schema: {
      tags: ['accounts'],
      operationId: 'listAccounts',
      summary: 'List the accounts of the registry and whether each is reachable',
      description: 'The account registry (ACCOUNTS or ACCOUNTS_FILE), never the ExternalId. Unless `check=false`, each account is checked at once, in parallel and bounded in time: STS GetCallerIdentity with the account\'s credentials (through its assumed role) says which account they really are in. An account that cannot be reached is reported in its `check`, the others are answered. Needs a `read` grant on every cluster (`*`) of every account and region.',
      querystring: ListAccountsQuery,
      response: { 200: Ref(ListAccountsResponse) }
    }
  }, async (request) => accounts.list({ check: request.query.check ?? true }))
}

export default accountRoutes
