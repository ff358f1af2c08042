/**
 * The shape of a config replacement as stored in an operation's `details`: the desired config and
 * the steps (disassociate → wait until gone → associate), each with its own EKS
 * clientRequestToken derived from the operation id, so a resumed step never starts a second update.
 */
import type { OidcIdentityProviderConfig as SdkOidcConfig } from '@aws-sdk/client-eks'
import type { AssociateIdentityProviderConfigRequest } from '../../schemas/eks.ts'
import { CLIENT_REQUEST_TOKEN_PREFIX } from '../services/write-guard.ts'
import { sameConfig } from '../services/identity-provider-configs.ts'

/** `action` of the operation records this module drives (the route's operationId). */
export const REPLACE_ACTION = 'replaceIdentityProviderConfig'

export const StepName = { DISASSOCIATE: 'disassociate', WAIT_GONE: 'wait-gone', ASSOCIATE: 'associate' } as const
export type StepName = typeof StepName[keyof typeof StepName]

export const StepStatus = { PENDING: 'pending', IN_PROGRESS: 'in_progress', SUCCEEDED: 'succeeded', SKIPPED: 'skipped', FAILED: 'failed' } as const
export type StepStatus = typeof StepStatus[keyof typeof StepStatus]

export interface ReplaceStep {
  name: StepName
  status: StepStatus
  /** Sent to EKS by the disassociate and associate steps. */
  clientRequestToken?: string
  updateId?: string
  startedAt?: string
  endedAt?: string
  /** Why a step was skipped or failed, in words. */
  note?: string
}

export type DesiredConfig = Pick<AssociateIdentityProviderConfigRequest, 'oidc' | 'tags'>

export interface ReplaceDetails {
  desired: DesiredConfig
  steps: ReplaceStep[]
}

/** What the request finds: nothing to do, a plain association, or a full replacement. */
export type PlanKind = 'unchanged' | 'associate' | 'replace'

export interface MinutesRange { minMinutes: number, maxMinutes: number }

/**
 * AWS takes roughly 20 to 40 minutes per association or disassociation. Logins through the config
 * stop at the latest when the disassociation completes and work again when the association
 * completes: the downtime is about one association.
 */
export const EXPECTED_DOWNTIME: MinutesRange = { minMinutes: 20, maxMinutes: 40 }
const STEP_MINUTES: MinutesRange = { minMinutes: 20, maxMinutes: 40 }

export const STEP_DESCRIPTIONS: Record<StepName, string> = {
  [StepName.DISASSOCIATE]: 'Disassociate the current config (an EKS update; 20 to 40 minutes on AWS).',
  [StepName.WAIT_GONE]: 'Wait until the current config is gone (no longer DELETING); logins through it have stopped.',
  [StepName.ASSOCIATE]: 'Associate the desired config (an EKS update; 20 to 40 minutes on AWS); logins work again once it is ACTIVE.'
}

const TOKEN_SUFFIX: Partial<Record<StepName, string>> = { [StepName.DISASSOCIATE]: '-d', [StepName.ASSOCIATE]: '-a' }

/** `eks-oidc-api-<operation id>-d` / `-a`: 51 characters for a UUID, inside EKS's 33–126. */
export function stepToken (operationId: string, step: StepName): string | undefined {
  const suffix = TOKEN_SUFFIX[step]
  return suffix === undefined ? undefined : `${CLIENT_REQUEST_TOKEN_PREFIX}${operationId}${suffix}`
}

export function planKind (current: SdkOidcConfig | undefined, desired: DesiredConfig): PlanKind {
  if (current === undefined) return 'associate'
  return current.status !== 'DELETING' && sameConfig(current, desired.oidc) ? 'unchanged' : 'replace'
}

export function stepNames (kind: PlanKind): StepName[] {
  if (kind === 'replace') return [StepName.DISASSOCIATE, StepName.WAIT_GONE, StepName.ASSOCIATE]
  return kind === 'associate' ? [StepName.ASSOCIATE] : []
}

/** The steps of a plan; without an operation (a dry run) they carry no EKS tokens. */
export function initialSteps (kind: PlanKind, operationId: string | undefined): ReplaceStep[] {
  return stepNames(kind).map(name => {
    const clientRequestToken = operationId === undefined ? undefined : stepToken(operationId, name)
    return { name, status: StepStatus.PENDING, ...(clientRequestToken ? { clientRequestToken } : {}) }
  })
}

export function expectedDowntime (kind: PlanKind): MinutesRange | null {
  return kind === 'replace' ? EXPECTED_DOWNTIME : null
}

export function expectedDuration (kind: PlanKind): MinutesRange {
  const updates = stepNames(kind).filter(name => TOKEN_SUFFIX[name] !== undefined).length
  return { minMinutes: updates * STEP_MINUTES.minMinutes, maxMinutes: updates * STEP_MINUTES.maxMinutes }
}

export const isStepDone = (step: ReplaceStep) => step.status === StepStatus.SUCCEEDED || step.status === StepStatus.SKIPPED

/** Reads what a runner stored; undefined when the record is not a replacement. */
export function replaceDetailsOf (details: Record<string, unknown>): ReplaceDetails | undefined {
  const { desired, steps } = details as Partial<ReplaceDetails>
  if (!desired?.oidc || !Array.isArray(steps)) return undefined
  return { desired, steps }
}
