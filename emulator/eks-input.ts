/**
 * Input checks of the emulated EKS operations, following the EKS model constraints and the
 * messages AWS is known to send (aws-api.md §2.1–§2.3).
 */
import { isReservedTagKey, reservedTagKeyMessage } from './reserved-tags.ts'
import { EksError, missingMember } from './wire-errors.ts'
import type { OidcConfigFields, TagMap } from './state.ts'

type Json = Record<string, unknown>

const OPTIONAL_OIDC_STRINGS = ['usernameClaim', 'usernamePrefix', 'groupsClaim', 'groupsPrefix'] as const
const MAX_TAGS = 50

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function invalid (message: string, clusterName?: string): EksError {
  return new EksError('InvalidParameterException', message, { clusterName })
}

function requireObject (body: Json, member: string, clusterName: string): Json {
  const value = body[member]
  if (value === undefined || value === null) throw invalid(missingMember(member), clusterName)
  if (!isObject(value)) throw invalid(`${member} must be an object`, clusterName)
  return value
}

export function requireString (body: Json, member: string, path: string, clusterName: string): string {
  const value = body[member]
  if (value === undefined || value === null) throw invalid(missingMember(path), clusterName)
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${path} must be a non-empty string`, clusterName)
  return value
}

function optionalString (body: Json, member: string, path: string, clusterName: string): string | undefined {
  const value = body[member]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${path} must be a non-empty string`, clusterName)
  return value
}

/**
 * Any string, as the EKS model has it: `clientRequestToken` is a plain String on Associate and
 * Disassociate. (EKS answered CreateCluster tokens outside 33–126 characters with
 * InvalidParameterException, but no document or model applies that to these operations.)
 */
export function checkClientRequestToken (body: Json, clusterName: string): string | undefined {
  const token = body.clientRequestToken
  if (token === undefined || token === null) return undefined
  if (typeof token !== 'string') throw invalid('clientRequestToken must be a string', clusterName)
  return token
}

function checkIssuerUrl (issuerUrl: string, clusterName: string): void {
  let url: URL
  try {
    url = new URL(issuerUrl)
  } catch {
    throw invalid(`Invalid issuer URL: ${issuerUrl}. The issuer URL must be a valid HTTPS URL.`, clusterName)
  }
  if (url.protocol !== 'https:' || !issuerUrl.startsWith('https://')) {
    throw invalid(`Invalid issuer URL: ${issuerUrl}. The issuer URL must use the https scheme.`, clusterName)
  }
  if (url.search !== '' || url.hash !== '' || issuerUrl.includes('?') || issuerUrl.includes('#')) {
    throw invalid(`Invalid issuer URL: ${issuerUrl}. The issuer URL must not contain a query or fragment.`, clusterName)
  }
}

function checkRequiredClaims (value: unknown, clusterName: string): TagMap | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw invalid('oidc.requiredClaims must be a map of strings', clusterName)
  for (const [key, claim] of Object.entries(value)) {
    if (key.length < 1 || key.length > 63) throw invalid(`Required claim key ${key} must be between 1 and 63 characters`, clusterName)
    if (typeof claim !== 'string' || claim.length < 1 || claim.length > 253) {
      throw invalid(`Required claim value for ${key} must be between 1 and 253 characters`, clusterName)
    }
  }
  return { ...value as TagMap }
}

export function checkOidcConfig (body: Json, clusterName: string): OidcConfigFields {
  const oidc = requireObject(body, 'oidc', clusterName)
  const fields: OidcConfigFields = {
    identityProviderConfigName: requireString(oidc, 'identityProviderConfigName', 'oidc.identityProviderConfigName', clusterName),
    issuerUrl: requireString(oidc, 'issuerUrl', 'oidc.issuerUrl', clusterName),
    clientId: requireString(oidc, 'clientId', 'oidc.clientId', clusterName)
  }
  checkIssuerUrl(fields.issuerUrl, clusterName)
  for (const member of OPTIONAL_OIDC_STRINGS) {
    const value = optionalString(oidc, member, `oidc.${member}`, clusterName)
    if (value !== undefined) fields[member] = value
  }
  for (const prefix of [fields.usernamePrefix, fields.groupsPrefix]) {
    if (prefix?.includes('system:')) throw invalid('Prefix cannot contain \'system:\'', clusterName)
  }
  const requiredClaims = checkRequiredClaims(oidc.requiredClaims, clusterName)
  if (requiredClaims !== undefined) fields.requiredClaims = requiredClaims
  return fields
}

/** Checks a TagMap; `errorType` differs between Associate (InvalidParameter) and TagResource (BadRequest). */
export function checkTagMap (
  value: unknown, member: string, errorType: 'InvalidParameterException' | 'BadRequestException', clusterName?: string
): TagMap {
  const fail = (message: string) => new EksError(errorType, message, errorType === 'BadRequestException' ? {} : { clusterName })
  if (!isObject(value)) throw fail(`${member} must be a map of strings`)
  const entries = Object.entries(value)
  if (entries.length < 1 || entries.length > MAX_TAGS) throw fail(`${member} must contain between 1 and ${MAX_TAGS} tags`)
  for (const [key, tag] of entries) {
    if (key.length < 1 || key.length > 128) throw fail(`Tag key ${key} must be between 1 and 128 characters`)
    if (isReservedTagKey(key)) throw fail(reservedTagKeyMessage(key))
    if (typeof tag !== 'string' || tag.length > 256) throw fail(`Tag value for ${key} must be a string of at most 256 characters`)
  }
  return { ...value as TagMap }
}

export function checkTagCount (tags: TagMap): void {
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new EksError('BadRequestException', `A resource can have at most ${MAX_TAGS} tags`)
  }
}

export interface ConfigRef { type: string, name: string }

export function checkConfigRef (body: Json, clusterName: string): ConfigRef {
  const ref = requireObject(body, 'identityProviderConfig', clusterName)
  const type = requireString(ref, 'type', 'identityProviderConfig.type', clusterName)
  const name = requireString(ref, 'name', 'identityProviderConfig.name', clusterName)
  if (type !== 'oidc') throw invalid(`Unsupported identity provider config type: ${type}. Supported types: oidc`, clusterName)
  return { type, name }
}
