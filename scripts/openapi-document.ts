import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import type { EksPort, IamPort } from '../src/aws/ports.ts'

/** Builds the app with a fixed config and inert AWS ports (never called) and renders its document. */
export async function generateOpenApiYaml (): Promise<string> {
  const app = await buildApp(loadConfig({ AUTH_MODE: 'none', DATA_DIR: 'memory://' }), { logger: false, eks: {} as EksPort, iam: {} as IamPort })
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
  }
}
