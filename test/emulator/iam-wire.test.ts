import t from 'tap'
import {
  AddClientIDToOpenIDConnectProviderCommand, CreateOpenIDConnectProviderCommand, DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand, ListOpenIDConnectProviderTagsCommand, ListOpenIDConnectProvidersCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand, TagOpenIDConnectProviderCommand, UntagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand
} from '@aws-sdk/client-iam'
import { EXTERNAL_ISSUER_THUMBPRINT } from '../../emulator/iam.ts'
import { caught, fakeClock, iamClient, startEmulator } from './helpers.ts'

const clock = fakeClock(Date.parse('2026-02-01T08:30:15.789Z'))
const emulator = await startEmulator(t, { clock: clock.now, seed: { clusters: [{ name: 'demo' }] } })
const iam = iamClient(t, emulator)

const EKS_URL = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789'
const EKS_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789'
const THUMB_A = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280'
const THUMB_B = 'a'.repeat(40)
const SPARE_URL = 'https://spare.example.com'
const SPARE_ARN = 'arn:aws:iam::111122223333:oidc-provider/spare.example.com'

async function rawQuery (body: string) {
  const response = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') }
}

t.test('Create, Get and List with the IAM shapes', async t => {
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: SPARE_URL, ClientIDList: ['a'] }))
  const created = await iam.send(new CreateOpenIDConnectProviderCommand({
    Url: EKS_URL,
    ClientIDList: ['sts.amazonaws.com', 'other-aud'],
    ThumbprintList: [THUMB_A],
    Tags: [{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'dev' }]
  }))
  t.equal(created.OpenIDConnectProviderArn, EKS_ARN)
  t.same(created.Tags, [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }])

  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN }))
  t.equal(got.Url, 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789', 'Url comes back without the scheme')
  t.same(got.ClientIDList, ['sts.amazonaws.com', 'other-aud'])
  t.same(got.ThumbprintList, [THUMB_A])
  t.ok(got.CreateDate instanceof Date)
  t.equal(got.CreateDate?.toISOString(), '2026-02-01T08:30:15.000Z', 'ISO-8601 with whole seconds')
  t.same(got.Tags, [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }])

  const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}))
  t.same(listed.OpenIDConnectProviderList, [{ Arn: EKS_ARN }, { Arn: SPARE_ARN }])

  const duplicate = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url: EKS_URL, ClientIDList: ['x'] })))
  t.equal(duplicate.name, 'EntityAlreadyExistsException')
  t.equal(duplicate.$metadata?.httpStatusCode, 409)
  t.equal(duplicate.message, `Provider with url ${EKS_URL} already exists.`)
})

t.test('the XML on the wire', async t => {
  const ok = await rawQuery(`Action=GetOpenIDConnectProvider&Version=2010-05-08&OpenIDConnectProviderArn=${encodeURIComponent(EKS_ARN)}`)
  t.equal(ok.status, 200)
  t.match(ok.contentType, /xml/)
  t.match(ok.text, '<GetOpenIDConnectProviderResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetOpenIDConnectProviderResult><Url>oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789</Url>')
  t.match(ok.text, '<ClientIDList><member>sts.amazonaws.com</member><member>other-aud</member></ClientIDList>')
  t.match(ok.text, '<CreateDate>2026-02-01T08:30:15Z</CreateDate>')
  t.match(ok.text, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetOpenIDConnectProviderResponse>/)

  const missingArn = 'arn:aws:iam::111122223333:oidc-provider/nope.example.com'
  const error = await rawQuery(`Action=GetOpenIDConnectProvider&Version=2010-05-08&OpenIDConnectProviderArn=${encodeURIComponent(missingArn)}`)
  t.equal(error.status, 404)
  t.match(error.text, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>OpenIDConnect Provider not found for arn ${missingArn}</Message></Error><RequestId>`)

  const noOutput = await rawQuery(`Action=AddClientIDToOpenIDConnectProvider&Version=2010-05-08&OpenIDConnectProviderArn=${encodeURIComponent(EKS_ARN)}&ClientID=sts.amazonaws.com`)
  t.match(noOutput.text, /<AddClientIDToOpenIDConnectProviderResponse xmlns="[^"]+"><ResponseMetadata>/, 'operations without output carry only metadata')

  const unknown = await rawQuery('Action=CreateUser&Version=2010-05-08')
  t.equal(unknown.status, 400)
  t.match(unknown.text, '<Code>InvalidAction</Code>')

  const missing = await rawQuery('Action=GetOpenIDConnectProvider&Version=2010-05-08')
  t.equal(missing.status, 400)
  t.match(missing.text, '<Code>ValidationError</Code>')
})

t.test('STS GetCallerIdentity answers the account', async t => {
  const result = await rawQuery('Action=GetCallerIdentity&Version=2011-06-15')
  t.equal(result.status, 200)
  t.match(result.text, '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>')
  t.match(result.text, '<Account>111122223333</Account>')
  t.match(result.text, '<Arn>arn:aws:iam::111122223333:user/emulator</Arn>')
})

t.test('client IDs: idempotent add and remove, quota of 100', async t => {
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, ClientID: 'new-aud' }))
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, ClientID: 'new-aud' }))
  t.same((await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN }))).ClientIDList,
    ['sts.amazonaws.com', 'other-aud', 'new-aud'])
  await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, ClientID: 'other-aud' }))
  await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, ClientID: 'never-there' }))
  t.same((await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN }))).ClientIDList,
    ['sts.amazonaws.com', 'new-aud'])

  const tooMany = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({
    Url: 'https://many.example.com', ClientIDList: Array.from({ length: 101 }, (_, i) => `aud-${i}`)
  })))
  t.equal(tooMany.name, 'LimitExceededException')
  t.equal(tooMany.$metadata?.httpStatusCode, 409)
  t.equal(tooMany.message, 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100')

  const full = await iam.send(new CreateOpenIDConnectProviderCommand({
    Url: 'https://full.example.com', ClientIDList: Array.from({ length: 100 }, (_, i) => `aud-${i}`)
  }))
  const add = await caught(t, () => iam.send(new AddClientIDToOpenIDConnectProviderCommand({
    OpenIDConnectProviderArn: full.OpenIDConnectProviderArn, ClientID: 'one-more'
  })))
  t.equal(add.name, 'LimitExceededException')
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: full.OpenIDConnectProviderArn, ClientID: 'aud-7' }))
  t.pass('adding an existing client ID at the quota still succeeds')
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: full.OpenIDConnectProviderArn }))
})

t.test('thumbprints: exactly 40 hex characters, at most 5, replaced on update', async t => {
  await iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: EKS_ARN, ThumbprintList: [THUMB_B, THUMB_A] }))
  t.same((await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN }))).ThumbprintList, [THUMB_B, THUMB_A])

  // The length is a model constraint (thumbprintType: min 40, max 40); hex digits and the count are IAM's own checks.
  const short = await caught(t, () => iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: EKS_ARN, ThumbprintList: ['a'.repeat(39)] })))
  t.equal(short.name, 'ValidationError')
  t.equal(short.$metadata?.httpStatusCode, 400)
  t.equal(short.message, `1 validation error detected: Value '[${'a'.repeat(39)}]' at 'thumbprintList' failed to satisfy constraint: ` +
    'Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]')

  const invalid: Array<[string, string[], RegExp]> = [
    ['not hex', ['g'.repeat(40)], /not valid/],
    ['six entries', Array.from({ length: 6 }, (_, i) => String(i).repeat(40)), /at most 5/],
    ['empty list', [], /^Thumbprint list must contain at least one entry\.$/]
  ]
  for (const [name, ThumbprintList, message] of invalid) {
    const error = await caught(t, () => iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: EKS_ARN, ThumbprintList })))
    t.equal(error.name, 'InvalidInputException', name)
    t.equal(error.$metadata?.httpStatusCode, 400, name)
    t.match(error.message, message, name)
  }
  const onCreate = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', ThumbprintList: ['z'.repeat(40)] })))
  t.equal(onCreate.name, 'InvalidInputException')
})

t.test('ThumbprintList omitted: the emulator computes it like IAM for its own issuers', async t => {
  const issuer = emulator.state.clusters.get('demo')?.issuer as string
  const own = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'] }))
  const path = new URL(issuer).pathname
  t.equal(own.OpenIDConnectProviderArn, `arn:aws:iam::111122223333:oidc-provider/127.0.0.1${path}`, 'the ARN has no port')
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: own.OpenIDConnectProviderArn }))
  t.equal(got.Url, issuer.slice('https://'.length), 'Url keeps the loopback port')
  t.same(got.ThumbprintList, [emulator.issuerThumbprint])
  t.match(emulator.issuerThumbprint, /^[0-9a-f]{40}$/)

  const external = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://idp.example.org', ClientIDList: ['a'] }))
  t.same((await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: external.OpenIDConnectProviderArn }))).ThumbprintList,
    [EXTERNAL_ISSUER_THUMBPRINT])
})

t.test('Url validation: https only, no query, a port only on loopback', async t => {
  for (const Url of ['http://insecure.example.com', 'https://q.example.com/?a=1', 'https://ported.example.com:8443/x', 'not a url']) {
    const error = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url, ClientIDList: ['a'] })))
    t.equal(error.name, 'InvalidInputException', Url)
    t.equal(error.$metadata?.httpStatusCode, 400, Url)
  }
  const longUrl = 'https://x.example.com/' + 'a'.repeat(250)
  const tooLong = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url: longUrl })))
  t.equal(tooLong.name, 'ValidationError')
  t.equal(tooLong.$metadata?.httpStatusCode, 400)
  t.equal(tooLong.message, `1 validation error detected: Value '${longUrl}' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255`)
  const loopback = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://localhost:9443/issuer', ClientIDList: ['a'] }))
  t.equal(loopback.OpenIDConnectProviderArn, 'arn:aws:iam::111122223333:oidc-provider/localhost/issuer')
})

t.test('tags: merge, untag, sorted and paged listing, quota of 50, key syntax', async t => {
  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, Tags: [{ Key: 'k2', Value: 'v2' }, { Key: 'env', Value: 'prod' }] }))
  await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, TagKeys: ['team', 'absent'] }))
  const all = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: EKS_ARN }))
  t.same(all.Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'k2', Value: 'v2' }])
  t.equal(all.IsTruncated, false)

  const first = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: EKS_ARN, MaxItems: 1 }))
  t.same(first.Tags, [{ Key: 'env', Value: 'prod' }])
  t.equal(first.IsTruncated, true)
  t.type(first.Marker, 'string')
  const second = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: EKS_ARN, MaxItems: 1, Marker: first.Marker }))
  t.same(second.Tags, [{ Key: 'k2', Value: 'v2' }])
  t.equal(second.IsTruncated, false)
  t.equal(second.Marker, undefined)

  const tooMany = await caught(t, () => iam.send(new TagOpenIDConnectProviderCommand({
    OpenIDConnectProviderArn: EKS_ARN, Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `t${i}`, Value: 'v' }))
  })))
  t.equal(tooMany.name, 'LimitExceededException', '2 existing + 49 new exceed 50')
  const badKey = await caught(t, () => iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, Tags: [{ Key: 'bad*key', Value: 'v' }] })))
  t.equal(badKey.name, 'ValidationError', 'the tag key pattern is a model constraint')
  t.equal(badKey.message, "1 validation error detected: Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint: " +
    'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+')
  t.equal((await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: EKS_ARN }))).Tags?.length, 2, 'a failed request changes nothing')
})

t.test('Delete, then NoSuchEntity everywhere but on Delete; malformed ARNs are InvalidInput', async t => {
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN }))
  const again = await rawQuery(`Action=DeleteOpenIDConnectProvider&Version=2010-05-08&OpenIDConnectProviderArn=${encodeURIComponent(EKS_ARN)}`)
  t.equal(again.status, 200, 'deleting a provider that is not there succeeds: IAM documents Delete as idempotent')
  t.match(again.text, /^<\?xml[^>]*>\n<DeleteOpenIDConnectProviderResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DeleteOpenIDConnectProviderResponse>\n$/,
    'an empty response, as for any operation without output')
  const calls = [
    () => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN })),
    () => iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: EKS_ARN, ClientID: 'a' })),
    () => iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: EKS_ARN }))
  ]
  for (const call of calls) {
    const error = await caught(t, call)
    t.equal(error.name, 'NoSuchEntityException')
    t.equal(error.$metadata?.httpStatusCode, 404)
    t.equal(error.message, `OpenIDConnect Provider not found for arn ${EKS_ARN}`)
  }
  for (const Command of [GetOpenIDConnectProviderCommand, DeleteOpenIDConnectProviderCommand]) {
    const malformed = await caught(t, () => iam.send(new Command({ OpenIDConnectProviderArn: 'arn:aws:iam::1:role/xyz' })))
    t.equal(malformed.name, 'InvalidInputException', Command.name)
    const short = await caught(t, () => iam.send(new Command({ OpenIDConnectProviderArn: 'arn:aws:iam::1:x' })))
    t.equal(short.name, 'ValidationError', `${Command.name}: an ARN under 20 characters breaks the model's arnType`)
    t.equal(short.message, "1 validation error detected: Value 'arn:aws:iam::1:x' at 'openIDConnectProviderArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
  }
})

t.test('model constraints: every violation of a request in one ValidationError, before the provider is looked up', async t => {
  const longKey = '#'.repeat(129)
  const error = await caught(t, () => iam.send(new TagOpenIDConnectProviderCommand({
    OpenIDConnectProviderArn: 'arn:aws:iam::111122223333:oidc-provider/never.example.com',
    Tags: [{ Key: 'ok', Value: 'ok' }, { Key: longKey, Value: 'a,b' }]
  })))
  t.equal(error.name, 'ValidationError', 'not NoSuchEntity: the inputs are checked first')
  t.equal(error.$metadata?.httpStatusCode, 400)
  const pattern = (star: string) => `Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]${star}`
  t.equal(error.message, '3 validation errors detected: ' +
    `Value '${longKey}' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 128; ` +
    `Value '${longKey}' at 'tags.2.member.key' failed to satisfy constraint: ${pattern('+')}; ` +
    `Value 'a,b' at 'tags.2.member.value' failed to satisfy constraint: ${pattern('*')}`)

  const astral = '\u{1D49C}'
  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: SPARE_ARN, Tags: [{ Key: astral.repeat(128), Value: astral.repeat(256) }] }))
  t.pass('lengths count characters: 128 letters outside the BMP (256 UTF-16 units) are a valid key')

  const clientId = await caught(t, () => iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: SPARE_ARN, ClientID: 'c'.repeat(256) })))
  t.equal(clientId.name, 'ValidationError')
  t.match(clientId.message, /^1 validation error detected: Value 'c+' at 'clientID' failed to satisfy constraint: Member must have length less than or equal to 255$/)

  const untag = await caught(t, () => iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: SPARE_ARN, TagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) })))
  t.equal(untag.name, 'ValidationError')
  t.match(untag.message, /at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50$/)

  const maxItems = await caught(t, () => iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: SPARE_ARN, MaxItems: 1001 })))
  t.equal(maxItems.message, "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
})

t.test('tags: exact duplicates and reserved aws: keys are InvalidInput; keys are case sensitive', async t => {
  const url = 'https://tags.example.com/case'
  const arn = 'arn:aws:iam::111122223333:oidc-provider/tags.example.com/case'
  for (const Tags of [[{ Key: 'team', Value: 'a' }, { Key: 'team', Value: 'b' }], [{ Key: 'AWS:team', Value: 'a' }]]) {
    const error = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, Tags })))
    t.equal(error.name, 'InvalidInputException', Tags[0].Key)
    t.equal(error.$metadata?.httpStatusCode, 400)
    t.equal(error.message, Tags.length === 2 ? 'Duplicate tag keys found.' : 'Tag key AWS:team is not valid: keys beginning with "aws:" are reserved for AWS use.')
  }
  t.notOk(emulator.state.oidcProviders.has(arn), 'a refused Create creates nothing')

  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, Tags: [{ Key: 'Team', Value: 'platform' }, { Key: 'team', Value: 'sre' }] }))
  const listTags = async () => (await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags
  t.same(await listTags(), [{ Key: 'Team', Value: 'platform' }, { Key: 'team', Value: 'sre' }], 'Team and team are two keys')

  for (const Tags of [[{ Key: 'x', Value: '1' }, { Key: 'x', Value: '1' }], [{ Key: 'aws:x', Value: '1' }], [{ Key: 'Aws:x', Value: '1' }]]) {
    const error = await caught(t, () => iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags })))
    t.equal(error.name, 'InvalidInputException', `Tag ${Tags[0].Key}`)
  }

  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'team', Value: 'ops' }] }))
  t.same(await listTags(), [{ Key: 'Team', Value: 'platform' }, { Key: 'team', Value: 'ops' }], 'an exact key is overwritten, the other case is kept')
  await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['TEAM', 'Team'] }))
  t.same(await listTags(), [{ Key: 'team', Value: 'ops' }], 'untag removes exact keys only')

  const others = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [...others, { Key: 'Team', Value: 'platform' }] }))
  t.equal((await listTags())?.length, 50)
  await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'Team', Value: 'again' }, { Key: 'team', Value: 'again' }] }))
  t.pass('overwriting exact keys at the quota keeps 50 tags')
  const over = await caught(t, () => iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'TEAM', Value: 'x' }] })))
  t.equal(over.name, 'LimitExceededException', 'a third case of the key is a 51st tag')
  t.equal(over.$metadata?.httpStatusCode, 409)
  t.equal(over.message, 'Cannot exceed quota for TagsPerOpenIdConnectProvider: 50')
})

t.test('at most 100 providers per account', async t => {
  const quota = await startEmulator(t)
  const client = iamClient(t, quota)
  quota.seed({ iamOidcProviders: Array.from({ length: 99 }, (_, i) => ({ url: `https://idp${i}.example.com` })) })
  await client.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://last.example.com', ClientIDList: ['a'] }))
  t.equal((await client.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.length, 100)
  const error = await caught(t, () => client.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://one-too-many.example.com' })))
  t.equal(error.name, 'LimitExceededException')
  t.equal(error.$metadata?.httpStatusCode, 409)
  t.equal(error.message, 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100')
})
