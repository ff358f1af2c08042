/**
 * The `trust-policy` pre-flight check: a role serves EKS Pod Identity only when its trust policy
 * lets the service principal `pods.eks.amazonaws.com` call both `sts:AssumeRole` and
 * `sts:TagSession` (EKS User Guide, "Create an IAM role for EKS Pod Identity", pod-id-role).
 * When it does not, the check answers the statement to add.
 */
import type { IamPort } from '../aws/ports.ts'
import { callAws, isAwsError } from '../aws/errors.ts'
import type { PreflightCheck } from '../../schemas/pod-identity.ts'
import { coversAction } from '../trust/irsa.ts'
import type { PolicyDocument, PolicyStatement } from '../trust/policy-document.ts'
import { readPolicyDocument } from './irsa-roles.ts'
import type { TrustPolicyCheck } from './preflight.ts'

export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com'
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const

/** The statement a role's trust policy needs for Pod Identity. */
export const POD_IDENTITY_TRUST_STATEMENT = {
  Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
  Effect: 'Allow',
  Principal: { Service: POD_IDENTITY_PRINCIPAL },
  Action: [...POD_IDENTITY_ACTIONS]
}

/** `arn:aws:iam::111122223333:role/path/name` → `name` (GetRole takes the name, without the path). */
export const roleNameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf('/') + 1)

/** The Pod Identity principal, named as a Service or through `"*"`. */
function namesPodIdentity (statement: PolicyStatement): boolean {
  if (statement.NotPrincipal !== undefined) return false
  if (statement.Principal === '*') return true
  return (statement.Principal?.Service ?? []).includes(POD_IDENTITY_PRINCIPAL)
}

/**
 * The actions of POD_IDENTITY_ACTIONS that the document does not allow the Pod Identity principal.
 * A statement with conditions is counted as allowing: EKS's requests satisfy the usual ones
 * (aws:SourceAccount, aws:SourceArn, aws:RequestTag/…), and this check cannot know the others.
 */
export function missingPodIdentityActions (document: PolicyDocument | undefined): string[] {
  const statements = document?.Statement ?? []
  const applying = (effect: string, action: string) =>
    statements.some(s => s.Effect === effect && namesPodIdentity(s) && coversAction(s, action) && (effect === 'Allow' || s.Condition === undefined))
  return POD_IDENTITY_ACTIONS.filter(action => !applying('Allow', action) || applying('Deny', action))
}

export class RoleTrustCheck implements TrustPolicyCheck {
  readonly #iam: Pick<IamPort, 'getRole'>

  constructor (deps: { iam: Pick<IamPort, 'getRole'> }) {
    this.#iam = deps.iam
  }

  async check (roleArn: string): Promise<PreflightCheck> {
    let document: string | undefined
    try {
      const { Role } = await callAws(() => this.#iam.getRole({ RoleName: roleNameOf(roleArn) }))
      if (Role?.Arn !== undefined && Role.Arn !== roleArn) {
        return { name: 'trust-policy', status: 'failed', reason: `The role named ${roleNameOf(roleArn)} is ${Role.Arn}, not ${roleArn}: check the role's path.` }
      }
      document = Role?.AssumeRolePolicyDocument
    } catch (error) {
      if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw error
      return { name: 'trust-policy', status: 'failed', reason: `The role ${roleArn} does not exist in IAM.` }
    }
    const missing = missingPodIdentityActions(readPolicyDocument(document))
    if (missing.length === 0) {
      return { name: 'trust-policy', status: 'passed', reason: `The role's trust policy allows ${POD_IDENTITY_PRINCIPAL} to call ${POD_IDENTITY_ACTIONS.join(' and ')}.` }
    }
    return {
      name: 'trust-policy',
      status: 'failed',
      reason: `The role's trust policy does not allow ${POD_IDENTITY_PRINCIPAL} to call ${missing.join(' and ')}; EKS could not hand its credentials to pods. Add statementToAdd to the role's trust policy (aws iam update-assume-role-policy).`,
      statementToAdd: POD_IDENTITY_TRUST_STATEMENT
    }
  }
}
