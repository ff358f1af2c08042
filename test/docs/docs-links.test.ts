/**
 * The documents stay true to the repository: in README.md and docs/*.md, every relative link points
 * to a file that exists, every `#anchor` to a heading of its target, and every `npm run <script>`
 * to a script of package.json.
 */
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { codeBlockUnder, documentProblems, githubSlug, headingAnchors, isExternal, linkTargets, npmScripts, shellCommands } from './markdown.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function documents (root: string): Promise<string[]> {
  const docs = (await readdir(`${root}/docs`)).filter(name => name.endsWith('.md')).sort()
  return ['README.md', ...docs.map(name => `docs/${name}`)]
}

t.test('GitHub heading anchors', async t => {
  t.equal(githubSlug('Authentication, authorization and rate limits'), 'authentication-authorization-and-rate-limits')
  t.equal(githubSlug('Why can\'t I log in? (login diagnosis)'), 'why-cant-i-log-in-login-diagnosis')
  t.equal(githubSlug('Issuers: inspection, pre-flight checks and thumbprints'), 'issuers-inspection-pre-flight-checks-and-thumbprints')
  t.equal(githubSlug('Why Associate needs an `Idempotency-Key`'), 'why-associate-needs-an-idempotency-key')
  t.equal(githubSlug('The store: SQLite or PostgreSQL'), 'the-store-sqlite-or-postgresql')
  t.equal(githubSlug('snake_case and [a link](x.md)'), 'snake_case-and-a-link')
  t.same([...headingAnchors('# A\n\n```sh\n# not a heading\n```\n## A\n### B ##\n')], ['a', 'a-1', 'b'], 'code blocks hold no headings; repeats are numbered')
})

t.test('links and scripts are read from prose, not from code', async t => {
  const markdown = 'See [x](a.md#b), ![img](i.png "title") and `[not](c.md)`.\n\n```sh\n[nor](d.md)\nnpm run -s lint && npm test\n```\n'
  t.same(linkTargets(markdown), ['a.md#b', 'i.png'])
  t.same(npmScripts(markdown), ['lint', 'test'], 'npm commands count in code blocks too: that is where readers copy them from')
  t.ok(isExternal('https://heyapi.dev'))
  t.notOk(isExternal('docs/api-guide.md#errors'))
})

t.test('the commands of the code block under a heading', async t => {
  const markdown = '## Try\n\nText.\n\n```sh\n# a comment\ncurl -s a \\\n  -H b\n\ncurl -s c\n```\n\n```sh\nnot this\n```\n## Empty\n\n## Next\n\n```sh\nx\n```\n'
  t.same(shellCommands(codeBlockUnder(markdown, 'Try') ?? ''), ['curl -s a -H b', 'curl -s c'], 'the first block only; continuations joined')
  t.equal(codeBlockUnder(markdown, 'Empty'), undefined, 'not a block under the next heading')
  t.equal(codeBlockUnder(markdown, 'Missing'), undefined)
})

t.test('a broken link, a wrong anchor and an unknown script are each reported', async t => {
  const root = t.testdir({
    'README.md': '# Top\n\n[ok](docs/guide.md#part-two) [same file](#top) [missing](docs/gone.md) [bad anchor](docs/guide.md#part-three)\n\n`npm run build`, then `npm run nope`.\n',
    docs: { 'guide.md': '# Guide\n\n## Part two\n\n[back](../README.md#top) [absolute](/README.md) [into code](../x.ts#y)\n' },
    'x.ts': ''
  })
  const scripts = { build: 'tsc' }
  t.same(await documentProblems(root, 'README.md', scripts), [
    'README.md: link docs/gone.md points to docs/gone.md, which does not exist',
    'README.md: link docs/guide.md#part-three: no heading of docs/guide.md has the anchor #part-three',
    'README.md: mentions npm script "nope", which package.json does not define'
  ])
  t.same(await documentProblems(root, 'docs/guide.md', scripts), [
    'docs/guide.md: link /README.md is absolute; links must be relative',
    'docs/guide.md: link ../x.ts#y has an anchor into x.ts, which is not Markdown'
  ])
})

t.test('README.md and docs/*.md: every relative link, anchor and npm script resolves', async t => {
  const { scripts } = JSON.parse(await readFile(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> }
  const files = await documents(ROOT)
  t.ok(files.length >= 7, `README.md and the docs: ${files.join(', ')}`)
  let links = 0
  for (const file of files) {
    const markdown = await readFile(`${ROOT}/${file}`, 'utf8')
    links += linkTargets(markdown).filter(target => !isExternal(target)).length
    t.same(await documentProblems(ROOT, file, scripts), [], `${file}: links, anchors and npm scripts resolve`)
  }
  // A reader that found no links would pass vacuously.
  t.ok(links >= 30, `${links} relative links checked`)
})

t.test('each document under docs/ says in its first lines who it is for', async t => {
  for (const file of (await documents(ROOT)).filter(name => name.startsWith('docs/'))) {
    const [title, blank, audience] = (await readFile(`${ROOT}/${file}`, 'utf8')).split('\n')
    t.match(title, /^# \S/, `${file} starts with its title`)
    t.equal(blank, '', `${file}: a blank line after the title`)
    t.match(audience, /^For /, `${file}: then one line saying who it is for`)
  }
})
