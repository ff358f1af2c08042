/** Issuer inspection, pre-flight checks and thumbprint drift: what this service adds to the AWS shapes. */
import { Type, type Static } from 'typebox'
import { Ref } from './common.ts'
import { IssuerUrl } from './issuer-url.ts'

export const CertificateSummary = Type.Object({
  subject: Type.String({ description: 'Certificate subject.' }),
  issuer: Type.String({ description: 'Certificate issuer.' }),
  notAfter: Type.String({ format: 'date-time', description: 'End of validity.' }),
  sha1: Type.String({ description: 'SHA-1 of the DER certificate, 40 lower-case hex characters (an IAM thumbprint).' })
}, { $id: 'CertificateSummary', additionalProperties: false, description: 'One certificate of a served chain.' })

export const IssuerCheck = Type.Object({
  name: Type.String({ description: 'Check name: `not-cluster-issuer` (pre-flight only), `discovery-reachable`, `issuer-matches`, `jwks-reachable` or `certificate-not-expiring`. The URL itself is not a check: a URL breaking the issuer URL rule is refused with a 400.' }),
  passed: Type.Boolean({ description: 'Whether the check passed.' }),
  reason: Type.String({ description: 'Why it passed or failed.' }),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')], { description: '`error` failures block an association; `warning` failures (a certificate expiring soon) do not.' }),
  skipped: Type.Optional(Type.Boolean({ description: 'Not run because an earlier check failed.' }))
}, { $id: 'IssuerCheck', additionalProperties: false, description: 'One named check of an OIDC issuer.' })

export const InspectIssuerRequest = Type.Object({
  issuerUrl: IssuerUrl('Issuer URL to inspect, the level below `/.well-known/openid-configuration`.')
}, { $id: 'InspectIssuerRequest', additionalProperties: false })

const HostThumbprint = Type.Object({
  role: Type.Union([Type.Literal('jwks'), Type.Literal('issuer')], { description: '`jwks`: the host publishing the keys (the one IAM checks); `issuer`: the issuer host when it differs.' }),
  host: Type.String({ description: 'Host name.' }),
  port: Type.Integer({ description: 'TCP port.' }),
  thumbprint: Type.String({ description: 'SHA-1 of the last certificate the host sent.' }),
  certificates: Type.Array(Ref(CertificateSummary), { description: 'The chain as sent, leaf first.' }),
  authorized: Type.Boolean({ description: 'Whether the chain verifies against the service\'s trust store.' })
}, { additionalProperties: false })

export const IssuerInspection = Type.Object({
  issuerUrl: Type.String({ description: 'The inspected issuer URL.' }),
  discovery: Type.Optional(Type.Object({
    issuer: Type.Optional(Type.String({ description: 'The `issuer` the document declares.' })),
    jwks_uri: Type.Optional(Type.String({ description: 'Where the signing keys are published.' })),
    authorization_endpoint: Type.Optional(Type.String({ description: 'Authorization endpoint.' })),
    token_endpoint: Type.Optional(Type.String({ description: 'Token endpoint.' })),
    userinfo_endpoint: Type.Optional(Type.String({ description: 'UserInfo endpoint.' })),
    response_types_supported: Type.Optional(Type.Array(Type.String(), { description: 'Supported response types.' })),
    subject_types_supported: Type.Optional(Type.Array(Type.String(), { description: 'Supported subject types.' })),
    id_token_signing_alg_values_supported: Type.Optional(Type.Array(Type.String(), { description: 'ID token signing algorithms (EKS needs RS256).' })),
    claims_supported: Type.Optional(Type.Array(Type.String(), { description: 'Claims the issuer can put in tokens.' }))
  }, { additionalProperties: false, description: 'Summary of the discovery document.' })),
  jwks: Type.Optional(Type.Object({
    keys: Type.Array(Type.Object({
      kid: Type.Optional(Type.String({ description: 'Key id.' })),
      alg: Type.Optional(Type.String({ description: 'Algorithm.' })),
      kty: Type.Optional(Type.String({ description: 'Key type.' })),
      use: Type.Optional(Type.String({ description: 'Key use.' }))
    }, { additionalProperties: false }), { description: 'Keys of the JWKS (public members only).' })
  }, { additionalProperties: false, description: 'The issuer\'s JSON Web Key Set.' })),
  certificateChain: Type.Array(Ref(CertificateSummary), { description: 'Chain of the JWKS host, leaf first.' }),
  thumbprints: Type.Array(Type.String(), { description: 'Thumbprints IAM would use, JWKS host first.' }),
  hosts: Type.Array(HostThumbprint, { description: 'Each contacted host with its chain and thumbprint.' }),
  checks: Type.Array(Ref(IssuerCheck), { description: 'Named checks with pass/fail and a reason.' })
}, { $id: 'IssuerInspection', additionalProperties: false, description: 'What the service found at an OIDC issuer.' })

export const ThumbprintDrift = Type.Object({
  registered: Type.Optional(Type.Array(Type.String(), { description: 'Thumbprints registered on the IAM provider.' })),
  served: Type.Optional(Type.Array(Type.String(), { description: 'Thumbprints the issuer serves now.' })),
  missing: Type.Optional(Type.Array(Type.String(), { description: 'Served thumbprints that are not registered.' })),
  subject: Type.Optional(Type.String({ description: 'Subject of the certificate behind the served thumbprint.' })),
  notAfter: Type.Optional(Type.String({ format: 'date-time', description: 'End of validity of that certificate.' })),
  matches: Type.Optional(Type.Boolean({ description: 'Whether every served thumbprint is registered. AWS checks thumbprints only when the JWKS host\'s certificate is not signed by a CA it trusts.' })),
  error: Type.Optional(Type.String({ description: 'Why the served thumbprint could not be read (the issuer is unreachable from the service); the other members are then absent.' }))
}, { $id: 'ThumbprintDrift', additionalProperties: false, description: 'Registered versus currently served thumbprints. `PUT ?computeThumbprints=true` repairs drift.' })

export type IssuerInspection = Static<typeof IssuerInspection>
export type ThumbprintDrift = Static<typeof ThumbprintDrift>
