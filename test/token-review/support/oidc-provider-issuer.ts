/**
 * Test support: a second, independent OIDC implementation (the `oidc-provider` package) serving
 * discovery and JWKS over HTTPS on loopback and issuing real ID tokens through a real
 * authorization-code flow.
 *
 * How the flow runs without a browser: the provider's interaction URL points at a tiny handler of
 * ours that logs in the user named by `login_hint` and grants the requested scopes in one step
 * (`interactionFinished` with `login` and `consent`). A small client follows the redirects with a
 * cookie jar, takes the code from the redirect to the client's redirect_uri (never contacted), and
 * redeems it at the token endpoint with client_secret_basic and PKCE. The ID token is signed by
 * the provider with an RSA key we hand it as its JWKS.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import { Provider } from 'oidc-provider'
import type { Test } from 'tap'
import { Agent, fetch } from 'undici'
import { startHttpsServer } from './https-issuer.ts'

export const CLIENT_ID = 'eks-login-app'
const CLIENT_SECRET = 'a-test-secret-that-is-long-enough-0123456789'
const REDIRECT_URI = 'https://app.example.com/callback'
const MAX_REDIRECTS = 10
const REQUEST_TIMEOUT_MS = 5000

/** Cognito-like accounts: groups in `cognito:groups`, e-mail, `token_use`. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  jane: { email: 'jane@example.com', email_verified: true, 'cognito:groups': ['admins', 'developers'] },
  joe: { email: 'joe@example.com', email_verified: false, 'cognito:groups': ['developers'] }
}

export interface OidcProviderIssuer {
  issuerUrl: string
  caPem: string
  /** Runs the authorization-code flow for `login` and returns the ID token. */
  idTokenFor (login: keyof typeof ACCOUNTS): Promise<string>
}

export async function startOidcProviderIssuer (t: Test): Promise<OidcProviderIssuer> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...await exportJWK(privateKey), kid: 'provider-rs256', alg: 'RS256', use: 'sig' }
  // The provider needs its issuer URL, which needs the listening port: the server starts first.
  const state: { provider?: Provider, handler?: (req: IncomingMessage, res: ServerResponse) => void } = {}
  const { url, chain } = await startHttpsServer(t, (req, res) => {
    if (req.url?.startsWith('/interaction/') && state.provider) {
      autoConsent(state.provider, req, res).catch(error => { res.statusCode = 500; res.end(String(error)) })
    } else {
      state.handler?.(req, res)
    }
  })

  const provider = new Provider(url, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256'
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['token-review-test-cookie-key'] },
    claims: {
      openid: ['sub', 'cognito:username', 'token_use'],
      email: ['email', 'email_verified'],
      groups: ['cognito:groups']
    },
    // Scope claims go into the ID token itself (as with Cognito), not only into userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 3600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => ACCOUNTS[sub]
      ? { accountId: sub, claims: () => ({ sub, 'cognito:username': sub, token_use: 'id', ...ACCOUNTS[sub] }) }
      : undefined
  })
  state.provider = provider
  state.handler = provider.callback()
  const dispatcher = new Agent({ connect: { ca: chain.caPem } })
  t.teardown(() => dispatcher.close())

  return {
    issuerUrl: url,
    caPem: chain.caPem,
    idTokenFor: login => authorizationCodeFlow(url, dispatcher, login)
  }
}

async function autoConsent (provider: Provider, req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res)
  const accountId = String(details.params.login_hint)
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) })
  grant.addOIDCScope(String(details.params.scope))
  await provider.interactionFinished(req, res, {
    login: { accountId },
    consent: { grantId: await grant.save() }
  }, { mergeWithLastSubmission: false })
}

async function authorizationCodeFlow (issuerUrl: string, dispatcher: Agent, login: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url')
  const authorize = new URL('/auth', issuerUrl)
  authorize.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid email groups',
    login_hint: login,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256'
  }).toString()

  const cookies = new Map<string, string>()
  let next = authorize.toString()
  for (let hop = 0; hop < MAX_REDIRECTS && !next.startsWith(REDIRECT_URI); hop++) {
    const response = await fetch(next, {
      dispatcher,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    const location = response.headers.get('location')
    if (!location) throw new Error(`authorization flow stopped at ${new URL(next).pathname} with ${response.status}`)
    await response.body?.cancel()
    next = new URL(location, next).toString()
  }
  const code = new URL(next).searchParams.get('code')
  if (!code) throw new Error(`no code in the redirect: ${new URL(next).search}`)

  const tokenResponse = await fetch(new URL('/token', issuerUrl), {
    dispatcher,
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  const body = await tokenResponse.json() as { id_token?: string, error?: string }
  if (!body.id_token) throw new Error(`token endpoint answered ${tokenResponse.status} ${body.error ?? ''}`)
  return body.id_token
}
