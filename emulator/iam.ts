/**
 * The IAM OIDC provider operations of the emulator (awsQuery). Limits and messages follow
 * aws-api.md §3. Deviation from IAM: a port in `Url` is accepted when the host is a loopback
 * address, because the emulator's own issuers listen on a random loopback port; the ARN omits
 * the port (as for eksctl's `:443`) while `Url` keeps it.
 */
import type { EmulatorContext } from './context.ts'
import type { OidcProviderRecord, TagMap } from './state.ts'
import { missingMember, QueryError } from './wire-errors.ts'
import { readMemberList, readTagList, type XmlValue } from './xml.ts'

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/'

/**
 * Thumbprint stored when Create omits ThumbprintList for an issuer the emulator does not serve
 * (real IAM would fetch the issuer's chain; the emulator cannot reach other hosts).
 */
export const EXTERNAL_ISSUER_THUMBPRINT = '0000000000000000000000000000000000000000'

const MAX_PROVIDERS = 100
const MAX_CLIENT_IDS = 100
const MAX_THUMBPRINTS = 5
const MAX_TAGS = 50
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

type Action = (ctx: EmulatorContext, params: URLSearchParams) => XmlValue | undefined

function required (params: URLSearchParams, name: string): string {
  const value = params.get(name)
  if (value === null) throw new QueryError('ValidationError', missingMember(name.charAt(0).toLowerCase() + name.slice(1)))
  return value
}

function checkLength (value: string, member: string, min: number, max: number): string {
  if (value.length < min || value.length > max) {
    throw new QueryError('ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between ${min} and ${max}`)
  }
  return value
}

function findProvider (ctx: EmulatorContext, params: URLSearchParams): OidcProviderRecord {
  const arn = required(params, 'OpenIDConnectProviderArn')
  if (!/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/.test(arn)) throw new QueryError('InvalidInput', `ARN ${arn} is not valid.`)
  const provider = ctx.state.oidcProviders.get(arn)
  if (!provider) throw new QueryError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`)
  return provider
}

/** Validates Url and returns the host+path that names the provider in its ARN. */
function arnResourceOf (url: string): string {
  checkLength(url, 'url', 1, 255)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new QueryError('InvalidInput', `Invalid Open ID Connect Provider URL: ${url}`)
  }
  if (!url.startsWith('https://') || parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#') ||
    parsed.username !== '' || parsed.password !== '') {
    throw new QueryError('InvalidInput', `Invalid Open ID Connect Provider URL: ${url}`)
  }
  if (parsed.port !== '' && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new QueryError('InvalidInput', `Invalid Open ID Connect Provider URL: ${url}. The URL must not contain a port.`)
  }
  const path = parsed.pathname === '/' && !url.endsWith('/') ? '' : parsed.pathname
  return parsed.hostname + path
}

function checkThumbprints (thumbprints: string[]): string[] {
  if (thumbprints.length > MAX_THUMBPRINTS) {
    throw new QueryError('InvalidInput', `Thumbprint list must contain at most ${MAX_THUMBPRINTS} entries.`)
  }
  for (const thumbprint of thumbprints) {
    if (!/^[0-9a-fA-F]{40}$/.test(thumbprint)) {
      throw new QueryError('InvalidInput', `Thumbprint ${thumbprint} is not valid. A thumbprint is 40 hexadecimal characters.`)
    }
  }
  return [...new Set(thumbprints)]
}

function checkClientId (clientId: string): string {
  return checkLength(clientId, 'clientID', 1, 255)
}

function checkTags (tags: Array<{ Key: string, Value: string }>): TagMap {
  for (const { Key, Value } of tags) {
    if (!TAG_KEY.test(Key)) throw new QueryError('InvalidInput', `Tag key '${Key}' is not valid.`)
    if (!TAG_VALUE.test(Value)) throw new QueryError('InvalidInput', `Tag value '${Value}' for key '${Key}' is not valid.`)
  }
  return Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value]))
}

function checkTagQuota (tags: TagMap): void {
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new QueryError('LimitExceeded', `Cannot exceed quota for TagsPerOpenIdConnectProvider: ${MAX_TAGS}`)
  }
}

function checkClientIdQuota (clientIds: string[]): void {
  if (clientIds.length > MAX_CLIENT_IDS) {
    throw new QueryError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`)
  }
}

const sortedTags = (tags: TagMap) =>
  Object.keys(tags).sort().map(Key => ({ Key, Value: tags[Key] }))

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

const createProvider: Action = (ctx, params) => {
  const url = required(params, 'Url')
  const resource = arnResourceOf(url)
  const clientIds = [...new Set((readMemberList(params, 'ClientIDList') ?? []).map(checkClientId))]
  checkClientIdQuota(clientIds)
  const givenThumbprints = checkThumbprints(readMemberList(params, 'ThumbprintList') ?? [])
  const tags = checkTags(readTagList(params, 'Tags') ?? [])
  checkTagQuota(tags)
  const arn = `arn:aws:iam::${ctx.accountId}:oidc-provider/${resource}`
  if (ctx.state.oidcProviders.has(arn)) throw new QueryError('EntityAlreadyExists', `Provider with url ${url} already exists.`)
  if (ctx.state.oidcProviders.size >= MAX_PROVIDERS) {
    throw new QueryError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_PROVIDERS}`)
  }
  // Without a list IAM thumbprints the top intermediate of the issuer's chain itself.
  const thumbprints = givenThumbprints.length > 0
    ? givenThumbprints
    : [ctx.issuers.serves(url) ? ctx.issuers.thumbprint : EXTERNAL_ISSUER_THUMBPRINT]
  ctx.state.oidcProviders.set(arn, {
    arn, url: url.slice('https://'.length), clientIds, thumbprints, createDateMs: ctx.clock(), tags
  })
  return { OpenIDConnectProviderArn: arn, Tags: Object.keys(tags).length > 0 ? sortedTags(tags) : undefined }
}

const getProvider: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  return {
    Url: provider.url,
    ClientIDList: provider.clientIds,
    ThumbprintList: provider.thumbprints,
    CreateDate: isoSeconds(provider.createDateMs),
    Tags: sortedTags(provider.tags)
  }
}

const listProviders: Action = (ctx) => ({
  OpenIDConnectProviderList: [...ctx.state.oidcProviders.keys()].sort().map(Arn => ({ Arn }))
})

const deleteProvider: Action = (ctx, params) => {
  ctx.state.oidcProviders.delete(findProvider(ctx, params).arn)
  return undefined
}

const updateThumbprint: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const thumbprints = readMemberList(params, 'ThumbprintList')
  if (thumbprints === undefined) throw new QueryError('ValidationError', missingMember('thumbprintList'))
  if (thumbprints.length === 0) throw new QueryError('InvalidInput', 'Thumbprint list must contain at least one entry.')
  provider.thumbprints = checkThumbprints(thumbprints)
  return undefined
}

const addClientId: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const clientId = checkClientId(required(params, 'ClientID'))
  if (provider.clientIds.includes(clientId)) return undefined
  checkClientIdQuota([...provider.clientIds, clientId])
  provider.clientIds.push(clientId)
  return undefined
}

const removeClientId: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const clientId = checkClientId(required(params, 'ClientID'))
  provider.clientIds = provider.clientIds.filter(candidate => candidate !== clientId)
  return undefined
}

const tagProvider: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const tags = readTagList(params, 'Tags')
  if (tags === undefined) throw new QueryError('ValidationError', missingMember('tags'))
  const merged = { ...provider.tags, ...checkTags(tags) }
  checkTagQuota(merged)
  provider.tags = merged
  return undefined
}

const untagProvider: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const keys = readMemberList(params, 'TagKeys')
  if (keys === undefined) throw new QueryError('ValidationError', missingMember('tagKeys'))
  if (keys.length > MAX_TAGS) {
    throw new QueryError('ValidationError',
      `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`)
  }
  provider.tags = Object.fromEntries(Object.entries(provider.tags).filter(([key]) => !keys.includes(key)))
  return undefined
}

const listProviderTags: Action = (ctx, params) => {
  const provider = findProvider(ctx, params)
  const maxItemsRaw = params.get('MaxItems')
  const maxItems = maxItemsRaw === null ? 100 : Number(maxItemsRaw)
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
    throw new QueryError('ValidationError',
      `1 validation error detected: Value '${maxItemsRaw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`)
  }
  const marker = params.get('Marker')
  let after: string | undefined
  if (marker !== null) {
    after = Buffer.from(marker, 'base64url').toString('utf8')
    if (marker === '' || Buffer.from(after).toString('base64url') !== marker) throw new QueryError('InvalidInput', 'Invalid Marker.')
  }
  const tags = sortedTags(provider.tags).filter(tag => after === undefined || tag.Key > after)
  const page = tags.slice(0, maxItems)
  const truncated = tags.length > maxItems
  return {
    Tags: page,
    IsTruncated: truncated,
    Marker: truncated ? Buffer.from(page[page.length - 1].Key).toString('base64url') : undefined
  }
}

export const IAM_ACTIONS: Record<string, Action> = {
  CreateOpenIDConnectProvider: createProvider,
  GetOpenIDConnectProvider: getProvider,
  ListOpenIDConnectProviders: listProviders,
  DeleteOpenIDConnectProvider: deleteProvider,
  UpdateOpenIDConnectProviderThumbprint: updateThumbprint,
  AddClientIDToOpenIDConnectProvider: addClientId,
  RemoveClientIDFromOpenIDConnectProvider: removeClientId,
  TagOpenIDConnectProvider: tagProvider,
  UntagOpenIDConnectProvider: untagProvider,
  ListOpenIDConnectProviderTags: listProviderTags
}
