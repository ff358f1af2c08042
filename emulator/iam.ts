/**
 * The IAM OIDC provider operations of the emulator (awsQuery). Limits and messages follow
 * aws-api.md §3. Each operation first checks its inputs against the IAM model (iam-input.ts,
 * `ValidationError`), then makes IAM's own checks (`InvalidInput`, `LimitExceeded`), then acts.
 * Deviation from IAM: a port in `Url` is accepted when the host is a loopback address, because the
 * emulator's own issuers listen on a random loopback port; the ARN omits the port (as for
 * eksctl's `:443`) while `Url` keeps it.
 */
import type { EmulatorContext } from './context.ts'
import { IAM_SHAPES, MAX_TAGS_PER_REQUEST, ModelValidation } from './iam-input.ts'
import { checkTags, isoSeconds, markerPage, param, readPaging, sortedTags, type Tag } from './iam-common.ts'
import { ROLE_ACTIONS } from './iam-roles.ts'
import type { OidcProviderRecord, TagMap } from './state.ts'
import { QueryError } from './wire-errors.ts'
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
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export type IamAction = (ctx: EmulatorContext, params: URLSearchParams) => XmlValue | undefined
type Action = IamAction

/** Reads OpenIDConnectProviderArn and adds its model constraints to the request's validation. */
function arnParam (params: URLSearchParams, validation: ModelValidation): string {
  const arn = param(params, 'OpenIDConnectProviderArn')
  validation.required(arn, 'openIDConnectProviderArn', IAM_SHAPES.arn)
  return arn ?? ''
}

function checkArnSyntax (arn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/.test(arn)) throw new QueryError('InvalidInput', `ARN ${arn} is not valid.`)
}

function findProvider (ctx: EmulatorContext, arn: string): OidcProviderRecord {
  checkArnSyntax(arn)
  const provider = ctx.state.oidcProviders.get(arn)
  if (!provider) throw new QueryError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`)
  return provider
}

/** Checks the syntax of Url (its length is a model constraint) and returns the host+path that names the provider in its ARN. */
function arnResourceOf (url: string): string {
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

/** The length of each thumbprint is a model constraint; hex digits and the count of 5 are IAM's own checks. */
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

const createProvider: Action = (ctx, params) => {
  const url = param(params, 'Url')
  const clientIdList = readMemberList(params, 'ClientIDList')
  const thumbprintList = readMemberList(params, 'ThumbprintList')
  const tagList = readTagList(params, 'Tags')
  const validation = new ModelValidation()
  validation.required(url, 'url', IAM_SHAPES.url)
  validation.list(clientIdList, 'clientIDList', IAM_SHAPES.clientId)
  validation.list(thumbprintList, 'thumbprintList', IAM_SHAPES.thumbprint)
  validation.tags(tagList, 'tags')
  validation.check()

  const resource = arnResourceOf(url as string)
  const clientIds = [...new Set(clientIdList ?? [])]
  checkClientIdQuota(clientIds)
  const givenThumbprints = checkThumbprints(thumbprintList ?? [])
  const tags = checkTags((tagList ?? []) as Tag[], true)
  const arn = `arn:aws:iam::${ctx.accountId}:oidc-provider/${resource}`
  if (ctx.state.oidcProviders.has(arn)) throw new QueryError('EntityAlreadyExists', `Provider with url ${url} already exists.`)
  if (ctx.state.oidcProviders.size >= MAX_PROVIDERS) {
    throw new QueryError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_PROVIDERS}`)
  }
  // Without a list IAM thumbprints the top intermediate of the issuer's chain itself.
  const thumbprints = givenThumbprints.length > 0
    ? givenThumbprints
    : [ctx.issuers.serves(url as string) ? ctx.issuers.thumbprint : EXTERNAL_ISSUER_THUMBPRINT]
  ctx.state.oidcProviders.set(arn, {
    arn, url: (url as string).slice('https://'.length), clientIds, thumbprints, createDateMs: ctx.clock(), tags
  })
  return { OpenIDConnectProviderArn: arn, Tags: Object.keys(tags).length > 0 ? sortedTags(tags) : undefined }
}

/** Reads the provider an operation acts on, after the model checks of its other inputs. */
function providerOf (ctx: EmulatorContext, params: URLSearchParams, validate: (validation: ModelValidation) => void = () => {}) {
  const validation = new ModelValidation()
  const arn = arnParam(params, validation)
  validate(validation)
  validation.check()
  return findProvider(ctx, arn)
}

const getProvider: Action = (ctx, params) => {
  const provider = providerOf(ctx, params)
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

/**
 * Deleting a provider that does not exist succeeds. The IAM API reference documents the call as
 * "idempotent; it does not fail or return an error if you call the operation for a provider that
 * does not exist" (API_DeleteOpenIDConnectProvider, also in the botocore model's documentation),
 * and moto answers 200; the model still lists NoSuchEntity, so clients must accept both.
 */
const deleteProvider: Action = (ctx, params) => {
  const validation = new ModelValidation()
  const arn = arnParam(params, validation)
  validation.check()
  checkArnSyntax(arn)
  ctx.state.oidcProviders.delete(arn)
  return undefined
}

const updateThumbprint: Action = (ctx, params) => {
  const thumbprints = readMemberList(params, 'ThumbprintList')
  const provider = providerOf(ctx, params, validation => {
    validation.present(thumbprints, 'thumbprintList')
    validation.list(thumbprints, 'thumbprintList', IAM_SHAPES.thumbprint)
  })
  if (thumbprints?.length === 0) throw new QueryError('InvalidInput', 'Thumbprint list must contain at least one entry.')
  provider.thumbprints = checkThumbprints(thumbprints ?? [])
  return undefined
}

const clientIdParam = (params: URLSearchParams) => param(params, 'ClientID')
const validateClientId = (clientId: string | undefined) => (validation: ModelValidation) =>
  validation.required(clientId, 'clientID', IAM_SHAPES.clientId)

const addClientId: Action = (ctx, params) => {
  const clientId = clientIdParam(params)
  const provider = providerOf(ctx, params, validateClientId(clientId))
  if (provider.clientIds.includes(clientId as string)) return undefined
  checkClientIdQuota([...provider.clientIds, clientId as string])
  provider.clientIds.push(clientId as string)
  return undefined
}

const removeClientId: Action = (ctx, params) => {
  const clientId = clientIdParam(params)
  const provider = providerOf(ctx, params, validateClientId(clientId))
  provider.clientIds = provider.clientIds.filter(candidate => candidate !== clientId)
  return undefined
}

/** Tags overwrite the values of exactly equal keys; the quota applies to the resulting set. */
const tagProvider: Action = (ctx, params) => {
  const tagList = readTagList(params, 'Tags')
  const provider = providerOf(ctx, params, validation => {
    validation.present(tagList, 'tags')
    validation.tags(tagList, 'tags')
  })
  const merged = { ...provider.tags, ...checkTags((tagList ?? []) as Tag[], true) }
  checkTagQuota(merged)
  provider.tags = merged
  return undefined
}

/** Removes exactly the keys named (case sensitive); keys the provider lacks are ignored. */
const untagProvider: Action = (ctx, params) => {
  const keys = readMemberList(params, 'TagKeys')
  const provider = providerOf(ctx, params, validation => {
    validation.present(keys, 'tagKeys')
    validation.list(keys, 'tagKeys', IAM_SHAPES.tagKey, MAX_TAGS_PER_REQUEST)
  })
  const removed = new Set(keys)
  provider.tags = Object.fromEntries(Object.entries(provider.tags).filter(([key]) => !removed.has(key)))
  return undefined
}

const listProviderTags: Action = (ctx, params) => {
  const validation = new ModelValidation()
  const arn = arnParam(params, validation)
  const paging = readPaging(params, validation, IAM_SHAPES.marker)
  validation.check()
  const provider = findProvider(ctx, arn)
  const { page, IsTruncated, Marker } = markerPage(sortedTags(provider.tags), tag => tag.Key, paging())
  return { Tags: page, IsTruncated, Marker }
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
  ListOpenIDConnectProviderTags: listProviderTags,
  ...ROLE_ACTIONS
}
