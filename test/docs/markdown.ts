/**
 * Just enough Markdown reading to check the project's documents: their relative links and
 * `#anchors`, the `npm` scripts they tell readers to run, and the commands of a walkthrough.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'

const FENCE = /^ {0,3}(`{3,}|~{3,})/

/** The document without its fenced code blocks (each fenced line becomes empty, so line numbers stay). */
export function withoutCodeBlocks (markdown: string): string {
  let fence: string | undefined
  return markdown.split('\n').map(line => {
    const opening = FENCE.exec(line)?.[1]
    if (fence === undefined) {
      if (opening === undefined) return line
      fence = opening
      return ''
    }
    if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length && line.trim() === opening) fence = undefined
    return ''
  }).join('\n')
}

/**
 * The anchor GitHub gives a heading: lowercase, punctuation other than `-` and `_` dropped, each
 * space a `-`. (Link syntax in the heading counts by its text only.)
 */
export function githubSlug (heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The text of an ATX heading line (`## Text ##` → `Text`), or undefined for any other line. */
const headingText = (line: string) => /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1]

/** The anchors of a document's ATX headings; a repeated heading gets `-1`, `-2`… as on GitHub. */
export function headingAnchors (markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const heading = headingText(line)
    if (heading === undefined) continue
    const slug = githubSlug(heading)
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Every link and image target outside code, as written: `[text](target)` and `[text](target "title")`. */
export function linkTargets (markdown: string): string[] {
  const prose = withoutCodeBlocks(markdown).replace(/`+[^`\n]*`+/g, '')
  return [...prose.matchAll(/\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(match => match[1] as string)
}

/** Targets with a scheme (https:, mailto:…) or protocol-relative ones point outside the repository. */
export const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')

/** The scripts a document tells readers to run: `npm run <name>` (flags such as `-s` allowed), `npm start`, `npm test`. */
export function npmScripts (markdown: string): string[] {
  const run = [...markdown.matchAll(/\bnpm run((?:\s+(?:-s|--silent|--if-present))*)\s+([A-Za-z0-9][\w:.-]*)/g)].map(match => match[2] as string)
  const shorthand = [...markdown.matchAll(/\bnpm (start|test)\b/g)].map(match => match[1] as string)
  return [...run, ...shorthand]
}

/**
 * What is wrong with one document: relative links to files that do not exist, `#anchors` that
 * match no heading of their target, and npm scripts that `scripts` does not define.
 */
export async function documentProblems (root: string, file: string, scripts: Record<string, string>): Promise<string[]> {
  const markdown = await readFile(join(root, file), 'utf8')
  const problems: string[] = []
  for (const target of linkTargets(markdown)) {
    if (isExternal(target)) continue
    const hash = target.indexOf('#')
    const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash))
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
    const resolved = path === '' ? join(root, file) : join(root, dirname(file), path)
    const shown = relative(root, resolved)
    if (path.startsWith('/')) {
      problems.push(`${file}: link ${target} is absolute; links must be relative`)
    } else if (!existsSync(resolved)) {
      problems.push(`${file}: link ${target} points to ${shown}, which does not exist`)
    } else if (anchor !== undefined) {
      if (!resolved.endsWith('.md')) {
        problems.push(`${file}: link ${target} has an anchor into ${shown}, which is not Markdown`)
      } else if (!headingAnchors(await readFile(resolved, 'utf8')).has(anchor)) {
        problems.push(`${file}: link ${target}: no heading of ${shown} has the anchor #${anchor}`)
      }
    }
  }
  for (const script of new Set(npmScripts(markdown))) {
    if (!Object.hasOwn(scripts, script)) problems.push(`${file}: mentions npm script "${script}", which package.json does not define`)
  }
  return problems
}

/** The first fenced code block under the heading `heading` (exact text), before the next heading of any level. */
export function codeBlockUnder (markdown: string, heading: string): string | undefined {
  const lines = markdown.split('\n')
  const prose = withoutCodeBlocks(markdown).split('\n')
  const start = prose.findIndex(line => headingText(line) === heading)
  if (start === -1) return undefined
  for (let i = start + 1; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i] as string)?.[1]
    if (fence !== undefined) {
      const end = lines.findIndex((line, j) => j > i && line.trim() === fence)
      return end === -1 ? undefined : lines.slice(i + 1, end).join('\n')
    }
    if (headingText(prose[i] as string) !== undefined) return undefined
  }
  return undefined
}

/** The shell commands of a code block: comment and blank lines dropped, `\` continuations joined. */
export function shellCommands (block: string): string[] {
  return block.replace(/\\\n\s*/g, '').split('\n').map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#'))
}
