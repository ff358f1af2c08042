/**
 * The OpenAPI 3.1 document, generated from the route schemas (routes/openapi.ts serves it at
 * /openapi.json and /openapi.yaml), with Swagger UI at /docs. Components are named after the AWS shapes' `$id`s.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { apiDescription } from './api-description.ts'
import { shareRepeatedHeaders } from './openapi-shared-headers.ts'

export interface SwaggerOptions {
  version: string
  /** How long idempotent answers are replayed, published in the API description. */
  retentionSeconds: number
}

async function swaggerPlugin (app: FastifyInstance, options: SwaggerOptions) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'eks-oidc-api',
        version: options.version,
        description: apiDescription({ retentionSeconds: options.retentionSeconds }),
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A static API token or a JWT from the operator\'s identity provider.' }
        }
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'fleet', description: 'The fleet view of every account and region of the registry in one answer (docs/many-accounts.md#the-fleet-view).' },
        { name: 'accounts', description: 'The AWS accounts and regions the service manages (docs/many-accounts.md). Every cluster route is also served under `/accounts/{accountId}/regions/{region}`.' },
        { name: 'clusters', description: 'EKS clusters (ListClusters, DescribeCluster).' },
        { name: 'oidc-provider', description: 'The cluster\'s IAM OpenID Connect provider, for IAM roles for service accounts (IRSA).' },
        { name: 'identity-provider-configs', description: 'EKS OIDC identity provider configs, for user logins to Kubernetes.' },
        { name: 'pod-identity', description: 'EKS Pod Identity: IAM roles for the pods of a service account, without an OIDC provider; associations, their declarative form and pre-flight checks.' },
        { name: 'access-entries', description: 'EKS access entries and access policies, which map IAM principals into Kubernetes, and the cluster\'s authentication mode.' },
        { name: 'updates', description: 'Asynchronous EKS updates (20 to 40 minutes for identity provider changes).' },
        { name: 'login-diagnosis', description: 'What Kubernetes identity a token gets under a config, why a login fails, and the RBAC binding that matches.' },
        { name: 'issuers', description: 'OIDC issuer inspection: discovery, keys, certificate chain, thumbprints and pre-flight checks.' },
        { name: 'operations', description: 'This service\'s records of mutating requests.' },
        { name: 'audit', description: 'The audit trail of mutating requests (admins).' },
        { name: 'health', description: 'Liveness and readiness.' },
        { name: 'metrics', description: 'Prometheus metrics.' }
      ]
    },
    hideUntagged: true,
    transformObject: (document) => shareRepeatedHeaders('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`)
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
}

export default fp(swaggerPlugin, { name: 'swagger' })
