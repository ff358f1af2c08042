/**
 * Transport-level protections: security headers (helmet, computed once), `Cache-Control: no-store`,
 * request ids echoed in `X-Request-Id`, and a rate limit per principal (@fastify/rate-limit).
 *
 * The limiter runs as a route-level onRequest hook, i.e. after the auth plugin's onRequest hook
 * has set `request.principal`, and before the auth plugin's preParsing hook rejects anything, so
 * failed authentication attempts are limited too (keyed by IP). The counts are in memory, one set
 * per replica, unless a shared store is given (REDIS_URL: src/shared/shared-rate-limit-store.ts),
 * which holds one limit across every replica.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { isProbeRoute } from './probe-routes.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { problem } from '../errors.ts'
import type { RateLimitConfig } from '../auth/rate-limit-config.ts'

export const REQUEST_ID_HEADER = 'x-request-id'
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Fastify `genReqId`: a caller's well-formed `X-Request-Id` is kept (so ids can be followed across
 * services), anything else is replaced by a fresh UUID.
 */
export function genReqId (req: IncomingMessage): string {
  const offered = req.headers[REQUEST_ID_HEADER]
  return typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID()
}

/**
 * Fastify's `requestIdHeader` must be off: when set, Fastify takes the header value unchecked and
 * never calls `genReqId`. The header is read (and validated) by `genReqId` instead.
 */
export const requestIdHeader = false as const

/** Request bodies of this API are small JSON documents; 64 KiB leaves ample headroom. */
export const BODY_LIMIT_BYTES = 64 * 1024

/**
 * The longest path parameter, as sent (percent-encoded); longer ones are a 414. Config names have no
 * AWS limit, so this is a transport bound well above Fastify's default of 100; each parameter's
 * schema still sets its own rule (a cluster name is 1 to 100 characters).
 */
export const MAX_PATH_PARAM_LENGTH = 1024

/** Options to spread into `Fastify({...})` in the app factory. */
export const SECURITY_SERVER_OPTIONS = Object.freeze({ genReqId, requestIdHeader, bodyLimit: BODY_LIMIT_BYTES, routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH } })

/** API responses are JSON and must never render anything: deny every resource type. */
export const API_CSP_DIRECTIVES = Object.freeze({
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"]
})

/**
 * Swagger UI loads its bundle, preset, initializer and stylesheets from its own `/static/` routes
 * (no CDN, no inline scripts), fetches the spec from `<prefix>/json` with fetch(), renders inline
 * style attributes and embeds SVG/PNG icons as data: URLs.
 */
export const DOCS_CSP_DIRECTIVES = Object.freeze({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"]
})

export interface SecurityPluginOptions {
  /** `false` disables the limiter (tests of other parts). */
  rateLimit: RateLimitConfig | false
  /** Where the counts live; in this process's memory unless given. */
  rateLimitStore?: FastifyRateLimitStoreCtor
  /** Where @fastify/swagger-ui is mounted; its routes get DOCS_CSP_DIRECTIVES and may be cached. */
  docsPrefix?: string
}

export function rateLimitKey (request: FastifyRequest): string {
  return request.principal === null || request.principal === undefined
    ? `ip:${request.ip}`
    : `principal:${request.principal.name}`
}

/** The headers helmet would set, with the given Content-Security-Policy. */
export function helmetHeaders (directives: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: unknown) => { headers[name.toLowerCase()] = String(value) },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()] }
  }
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: directives as Record<string, string[]> },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })({} as IncomingMessage, response as unknown as ServerResponse, () => {})
  return headers
}

function under (url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(prefix + '/')
}

async function securityPlugin (app: FastifyInstance, options: SecurityPluginOptions): Promise<void> {
  const docsPrefix = (options.docsPrefix ?? '/docs').replace(/\/+$/, '')

  // Helmet's headers are the same on every response, so they are computed once per kind of route
  // (@fastify/helmet rebuilds the middleware on every request).
  const apiHeaders = helmetHeaders(API_CSP_DIRECTIVES)
  const docsHeaders = helmetHeaders(DOCS_CSP_DIRECTIVES)
  const docsRoutes = new Set<string>()
  app.addHook('onRoute', (route) => {
    if (under(route.url, docsPrefix)) docsRoutes.add(route.url)
  })
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(docsRoutes.has(request.routeOptions.url ?? '') ? docsHeaders : apiHeaders)
    done()
  })

  if (options.rateLimit !== false) {
    const windowSeconds = Math.round(options.rateLimit.windowMs / 1000)
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.windowMs,
      ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}),
      keyGenerator: rateLimitKey,
      allowList: (request) => isProbeRoute(request),
      errorResponseBuilder: (_request, context) => problem('TooManyRequestsException', {
        detail: `More than ${context.max} requests in ${windowSeconds} s; retry in ${context.after}.`,
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000))
      })
    })
  }

  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    const url = request.routeOptions.url
    if (!reply.hasHeader('cache-control') && (url === undefined || !under(url, docsPrefix))) {
      reply.header('cache-control', 'no-store')
    }
  })
}

export default fp(securityPlugin, { name: 'eks-oidc-api-security', fastify: '5.x' })
