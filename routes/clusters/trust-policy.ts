import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import {
  RenderTrustPolicyQuery, TrustPolicyDiagnosis, TrustPolicyDiagnosisQuery, TrustPolicyRendering, TrustPolicyRepairQuery,
  TrustPolicyRepairRequest, TrustPolicyRepairResponse
} from '../../schemas/iam.ts'
import { problem } from '../../src/errors.ts'
import { currentChange } from '../support/current-change.ts'
import { EKS_CALL, IAM_CALL } from '../support/problems.ts'
import { scopedServices } from '../support/scope.ts'

const trustPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/oidc-provider/trust-policy', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'ClusterStateConflict'] },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'renderTrustPolicy',
      summary: 'Render the IRSA trust policy of a role for a service account',
      description: 'The trust policy a role needs so that pods of `namespace`/`serviceAccount` can assume it: `Federated` is the cluster\'s IAM OIDC provider in `accountId` (default: the cluster\'s account; partition from the cluster ARN), the action `sts:AssumeRoleWithWebIdentity`, and `StringEquals` on `<issuer>:sub` (`system:serviceaccount:NS:SA`) and `<issuer>:aud` (`sts.amazonaws.com`). With `wildcards=true`, `*` and `?` may stand in the names and `sub` is compared with `StringLike`. Also tells whether that provider exists (one GetOpenIDConnectProvider); changes nothing.',
      params: ClusterNameParams,
      querystring: RenderTrustPolicyQuery,
      response: { 200: Ref(TrustPolicyRendering) }
    }
  }, async (request) => scopedServices(request).trustPolicies.render(request.params.name, request.query))

  app.get('/clusters/:name/oidc-provider/trust-policy/diagnosis', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'NoSuchEntityException', 'ClusterStateConflict', 'AccountNotReachable'] },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'diagnoseTrustPolicy',
      summary: 'Why can\'t pods of this service account assume the role? Diagnose its IRSA trust',
      description: 'Reads the role (GetRole) and the cluster\'s IAM OIDC provider in the role\'s account, and reports every check with `pass`, `fail`, `warn` or `skipped` and a reason: the provider exists; a statement names it as `Federated` principal (and not another cluster\'s issuer); the action; the `sub` and `aud` conditions (exact or pattern); the operator fits its value (a `*` under `StringEquals` never matches); no Deny overrides; the provider\'s thumbprints are current; the size quota. When the trust policy is what fails, `fix` holds the statements to add or change and the whole resulting policy. Writes nothing; `POST` with `apply=true` applies the fix.',
      params: ClusterNameParams,
      querystring: TrustPolicyDiagnosisQuery,
      response: { 200: Ref(TrustPolicyDiagnosis) }
    }
  }, async (request) => scopedServices(request).trustPolicies.diagnose(request.params.name, request.query))

  app.post('/clusters/:name/oidc-provider/trust-policy/diagnosis', {
    config: {
      change: { idempotency: 'optional' },
      problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'NoSuchEntityException', 'ClusterStateConflict', 'AccountNotReachable', 'TrustPolicyTooLarge', 'LimitExceededException', 'ValidationException']
    },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'repairTrustPolicy',
      summary: 'Diagnose the role\'s IRSA trust and apply the fix (`apply=true`)',
      description: 'The diagnosis of the `GET`, then UpdateAssumeRolePolicy with its fix: the statement naming this cluster\'s provider gets the missing action or condition value (a pattern under `StringEquals` moves to `StringLike`), or the rendered statement is added; no statement is ever removed. A policy that already allows the service account, or one that only a Deny blocks, is left as it is and no call is made, so a repeated request changes nothing (and with the same Idempotency-Key replays the first answer). A fix that would pass the trust-policy quota is refused with 409. With `dryRun=true` nothing changes and `changes` shows the call.',
      params: ClusterNameParams,
      querystring: TrustPolicyRepairQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(TrustPolicyRepairRequest),
      response: { 200: Ref(TrustPolicyRepairResponse) }
    }
  }, async (request) => {
    if (!request.query.apply) {
      throw problem('ValidationException', {
        detail: 'apply must be true; the diagnosis without a change is GET …/trust-policy/diagnosis.',
        errors: [{ pointer: '/querystring/apply', detail: 'must be true' }]
      })
    }
    const change = currentChange(request)
    const result = await scopedServices(request).trustPolicies.repair(request.params.name, request.body, { dryRun: change.dryRun }, change.guard)
    change.report({ resource: request.body.roleArn })
    return { ...result.diagnosis, dryRun: result.dryRun, changes: result.changes }
  })
}

export default trustPolicyRoutes
