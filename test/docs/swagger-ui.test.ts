/**
 * Swagger UI at /docs in a real browser (Debian's chromium, driven by playwright-core): the page
 * renders under the docs CSP, lists every operation of the committed openapi.yaml, and "Try it
 * out" → "Execute" on listClusters gets 200 with the emulator's cluster.
 *
 * Runs under CI=true (chromium is installed by .ci/run, apt package `chromium`); elsewhere it is
 * skipped when /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import t from 'tap'
import { parse } from 'yaml'
import { startHarness } from '../e2e/support.ts'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const UI_TIMEOUT_MS = 20_000
const SPEC_PATH = new URL('../../openapi.yaml', import.meta.url)

interface OperationObject { operationId?: string, tags?: string[] }

/** `operations-<tag>-<operationId>`, the element id Swagger UI gives each operation it lists. */
async function expectedOperationElementIds (): Promise<string[]> {
  const spec = parse(await readFile(SPEC_PATH, 'utf8')) as { paths: Record<string, Record<string, OperationObject>> }
  const ids: string[] = []
  for (const pathItem of Object.values(spec.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (typeof operation !== 'object' || operation === null || operation.operationId === undefined) continue
      for (const tag of operation.tags ?? ['default']) ids.push(`operations-${tag}-${operation.operationId}`)
    }
  }
  return ids.sort()
}

function skipReason (): string | false {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return false
  return `${CHROMIUM} is missing (apt-get install chromium); the Swagger UI check runs under CI=true`
}

t.test('Swagger UI renders every operation and executes listClusters against the sandbox', { skip: skipReason() }, async t => {
  // The browser starts while the service does; both take a while on a busy machine.
  // Both are awaited even when one fails, so that a missing browser fails the test at once instead
  // of leaving the service starting after the test ended (which kept the process alive until tap's timeout).
  const [launched, started] = await Promise.allSettled([
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }) as Promise<Browser>,
    startHarness(t, { emulator: { seed: { clusters: [{ name: 'swagger-demo' }] } } })
  ])
  if (launched.status === 'fulfilled') t.teardown(() => launched.value.close())
  if (launched.status === 'rejected') throw launched.reason
  if (started.status === 'rejected') throw started.reason
  const browser = launched.value
  const { serviceUrl } = started.value

  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } })
  page.setDefaultTimeout(UI_TIMEOUT_MS)
  const browserErrors: string[] = []
  page.on('pageerror', error => browserErrors.push(`page error: ${error.message}`))
  page.on('console', message => { if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`) })

  const response = await page.goto(`${serviceUrl}/docs`)
  t.equal(response?.status(), 200, '/docs answers 200')
  t.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the docs CSP is in force')

  await page.locator('.swagger-ui .info .title').filter({ hasText: 'eks-oidc-api' }).waitFor()
  await page.locator('.opblock').first().waitFor()

  const listed = (await page.locator('.opblock[id^="operations-"]').evaluateAll(nodes => nodes.map(node => node.id))).sort()
  const expected = await expectedOperationElementIds()
  t.ok(expected.length >= 20, `openapi.yaml has ${expected.length} operations`)
  t.same(listed, expected, 'Swagger UI lists every operation of openapi.yaml, under its tag')

  const screenshotDir = await mkdtemp(join(tmpdir(), 'eks-oidc-api-swagger-ui-'))
  await page.screenshot({ path: join(screenshotDir, 'swagger-ui.png') })

  const listClusters = page.locator('#operations-clusters-listClusters')
  await listClusters.locator('.opblock-summary-control').click()
  await listClusters.locator('button.try-out__btn').click()
  await listClusters.locator('button.execute').click()

  const liveResponse = listClusters.locator('.live-responses-table .response')
  await liveResponse.waitFor()
  t.equal((await liveResponse.locator('.response-col_status').innerText()).trim(), '200', 'the executed call answered 200')
  t.match(await liveResponse.locator('.response-col_description').innerText(), /"swagger-demo"/, 'the response body names the seeded cluster')
  t.match(await listClusters.locator('.request-url').innerText(), `${serviceUrl}/clusters`, 'the request went to the service itself')

  await liveResponse.screenshot({ path: join(screenshotDir, 'list-clusters-response.png') })
  t.comment(`screenshots (the page as loaded, the executed listClusters) in ${screenshotDir}`)

  t.same(browserErrors, [], 'no script errors and no CSP violations in the browser')
})
