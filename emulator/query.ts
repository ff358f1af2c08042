/** Routes form-encoded `POST /` requests (awsQuery) to IAM or STS by Action and Version. */
import type { EmulatorContext } from './context.ts'
import { IAM_ACTIONS, IAM_NAMESPACE } from './iam.ts'
import { STS_ACTIONS, STS_NAMESPACE, STS_VERSION } from './sts.ts'
import type { XmlValue } from './xml.ts'

export interface ResolvedQueryOperation {
  /** `iam:CreateOpenIDConnectProvider`, `sts:GetCallerIdentity`, or undefined for an unknown action. */
  operation?: string
  action: string
  service: 'iam' | 'sts'
  namespace: string
  run?: (ctx: EmulatorContext) => XmlValue | undefined
}

export function resolveQueryOperation (params: URLSearchParams): ResolvedQueryOperation {
  const action = params.get('Action') ?? ''
  const sts = params.get('Version') === STS_VERSION || Object.hasOwn(STS_ACTIONS, action)
  const actions: Record<string, (ctx: EmulatorContext, params: URLSearchParams) => XmlValue | undefined> = sts ? STS_ACTIONS : IAM_ACTIONS
  const service = sts ? 'sts' : 'iam'
  const handler = Object.hasOwn(actions, action) ? actions[action] : undefined
  return {
    operation: handler ? `${service}:${action}` : undefined,
    action,
    service,
    namespace: sts ? STS_NAMESPACE : IAM_NAMESPACE,
    run: handler ? ctx => handler(ctx, params) : undefined
  }
}
