import { Type, type Static, type TSchema } from 'typebox'

/**
 * References a shared schema by its `$id` while keeping its static type, so routes stay typed and
 * the OpenAPI document shows a `$ref` to a named component.
 */
export function Ref<T extends TSchema> (schema: T, options: { description?: string } = {}) {
  const id = (schema as { $id?: string }).$id
  if (!id) throw new Error('Ref() needs a schema with $id')
  return Type.Unsafe<Static<T>>({ ...Type.Ref(id), ...options })
}

export const FieldError = Type.Object({
  pointer: Type.String({ description: 'JSON pointer to the failing member of the request, e.g. `/body/oidc/issuerUrl`.' }),
  detail: Type.String({ description: 'The rule the member broke.' })
}, { $id: 'FieldError', additionalProperties: false, description: 'One failing member of a request.' })

export const Problem = Type.Object({
  type: Type.String({ description: 'URI identifying the kind of problem; its page explains it.' }),
  title: Type.String({ description: 'Short, stable summary of the kind of problem.' }),
  status: Type.Integer({ description: 'HTTP status code of this response.' }),
  detail: Type.Optional(Type.String({ description: 'What went wrong in this occurrence, and how to fix it.' })),
  instance: Type.Optional(Type.String({ description: 'The request path and request id of this occurrence.' })),
  code: Type.String({ description: 'Stable error code: the AWS exception name where one applies (e.g. `ResourceNotFoundException`), otherwise our own.' }),
  requestId: Type.Optional(Type.String({ description: 'Id of the request (also in the `X-Request-Id` header); quote it when reporting a problem.' })),
  awsRequestId: Type.Optional(Type.String({ description: 'Request id of the AWS call that failed, for AWS support.' })),
  errors: Type.Optional(Type.Array(Ref(FieldError), { description: 'Every failing member of the request, for validation problems.' })),
  checks: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ description: 'Check name.' }),
    passed: Type.Boolean({ description: 'Whether the check passed.' }),
    reason: Type.String({ description: 'Why it passed or failed.' })
  }, { additionalProperties: false }), { description: 'Named pre-flight checks, when a request was refused because some failed.' }))
}, {
  $id: 'Problem',
  additionalProperties: true,
  description: 'An RFC 9457 problem details object, sent as `application/problem+json` for every error.'
})

/**
 * AWS reserves tag keys beginning with `aws:`, in any letter case (IAM User Guide, "Tagging IAM
 * resources", rules for tagging; EKS User Guide, "Tagging your Amazon EKS resources"). Enforced
 * by the `x-reserved-prefix` keywords of schemas/keywords.ts.
 */
export const RESERVED_TAG_PREFIX = 'aws:'

/** EKS tag maps (TagMap). */
export const TagKey = Type.String({ minLength: 1, maxLength: 128, description: 'Tag key, 1 to 128 characters.' })
export const TagValue = Type.String({ maxLength: 256, description: 'Tag value, up to 256 characters.' })

export const TagMap = Type.Record(TagKey, TagValue, {
  $id: 'TagMap',
  // Record keys carry no length rule of their own in JSON Schema: propertyNames enforces it.
  propertyNames: { minLength: 1, maxLength: 128 },
  'x-reserved-key-prefix': RESERVED_TAG_PREFIX,
  minProperties: 1,
  maxProperties: 50,
  description: 'Tags as a map of key to value: 1 to 50 entries, keys 1 to 128 characters not beginning with `aws:` in any letter case (AWS reserves it), values up to 256.'
})

export const NextToken = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'The `nextToken` value returned by a previous paginated request; absent on the last page.'
})

export const MaxResults = Type.Integer({
  minimum: 1,
  maximum: 100,
  description: 'Maximum number of results on one page, 1 to 100. Without it AWS returns up to 100 and a `nextToken`.'
})

/** Rendered as an ISO-8601 string; the SDK's Date objects are serialised as such. */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'ISO-8601 timestamp (UTC).' })

/** An AWS account id (12 digits) and region name, as the account registry and the scoped routes take them. */
export const ACCOUNT_ID_PATTERN = '^\\d{12}$'
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d$'

export const ClusterNameParams = Type.Object({
  // The EKS model's ClusterName shape (CreateCluster): https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html
  name: Type.String({
    minLength: 1,
    maxLength: 100,
    pattern: '^[0-9A-Za-z][A-Za-z0-9\\-_]*$',
    description: 'Name of the EKS cluster: 1 to 100 characters, starting with a letter or digit, then letters, digits, hyphens and underscores.'
  })
}, { additionalProperties: false })

export const ConfigParams = Type.Object({
  ...ClusterNameParams.properties,
  // As OidcIdentityProviderConfigRequest.identityProviderConfigName: the EKS model sets no length or pattern.
  configName: Type.String({ minLength: 1, description: 'Name of the identity provider config: any non-empty string, percent-encoded in the path.' })
}, { additionalProperties: false })

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    description: 'Idempotency key (IETF draft `Idempotency-Key` header): 16 to 255 characters of `A-Za-z0-9._~:-`, optionally quoted. A retried request with the same key replays the first answer; see the API description for the full contract.'
  }))
})

// Kubernetes names (namespaces and service accounts) of IRSA trust policies and Pod Identity.

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
/** As DNS_LABEL, where `*` and `?` may stand for characters (a StringLike pattern). */
export const DNS_LABEL_PATTERN = '[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?'

/** Kubernetes namespaces are DNS-1123 labels. */
export const kubernetesNamespace = (pattern: string, description: string) => Type.String({ minLength: 1, maxLength: 63, pattern: `^${pattern}$`, description })
/** Kubernetes service account names are DNS-1123 subdomains. */
export const kubernetesServiceAccount = (label: string, description: string) => Type.String({ minLength: 1, maxLength: 253, pattern: `^${label}(\\.${label})*$`, description })

export const KubernetesNamespace = kubernetesNamespace(DNS_LABEL, 'Kubernetes namespace of the service account: a DNS-1123 label (1 to 63 lower-case letters, digits and `-`, starting and ending with a letter or digit).')
export const KubernetesServiceAccount = kubernetesServiceAccount(DNS_LABEL, 'Name of the Kubernetes service account: a DNS-1123 subdomain (1 to 253 characters; labels of lower-case letters, digits and `-` separated by dots).')
