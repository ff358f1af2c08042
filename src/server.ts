/** The only module that reads the environment and listens. */
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { assertListenAllowed } from './auth/listen-guard.ts'
import { ConfigError } from './config-spec.ts'
import { loadConfig } from './config.ts'

async function main () {
  let config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(78) // EX_CONFIG
  }
  try {
    assertListenAllowed(config.auth.disabled, config.HOST)
  } catch (error) {
    console.error((error as Error).message)
    process.exit(78)
  }
  const app = await buildApp(config)
  closeWithGrace({ delay: config.SHUTDOWN_DELAY_MS, logger: { error: (message: unknown) => app.log.error(message) } }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an unexpected error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ port: config.PORT, host: config.HOST })
}

await main()
