/** chart.svg: one horizontal bar panel per scenario, hand-written SVG (no dependencies). */
import { mib, ms, perSecond } from './format.ts'
import type { BenchResults } from './results-model.ts'

type Tone = 'baseline' | 'service' | 'other'
interface Bar { label: string, value: number, text: string, tone: Tone }
interface Panel { title: string, bars: Bar[], target?: { value: number, label: string } }

const WIDTH = 960
const LABEL_WIDTH = 300
const PLOT_WIDTH = 500
const BAR_HEIGHT = 18
const BAR_GAP = 6
const TITLE_HEIGHT = 30
const PANEL_GAP = 18
const COLORS: Record<Tone, string> = { baseline: '#8c9bab', service: '#2f6fb3', other: '#d9822b' }

const escapeXml = (text: string) => text.replace(/[<>&"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string)

function panelSvg (panel: Panel, top: number): { svg: string, height: number } {
  const max = Math.max(...panel.bars.map(b => b.value), panel.target?.value ?? 0) || 1
  const x = (value: number) => LABEL_WIDTH + (Math.max(0, value) / max) * PLOT_WIDTH
  const parts = [`<text x="10" y="${top + 20}" class="title">${escapeXml(panel.title)}</text>`]
  panel.bars.forEach((bar, i) => {
    const y = top + TITLE_HEIGHT + i * (BAR_HEIGHT + BAR_GAP)
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 13}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${(x(bar.value) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLORS[bar.tone]}"/>`,
      `<text x="${(x(bar.value) + 6).toFixed(1)}" y="${y + 13}" class="value">${escapeXml(bar.text)}</text>`
    )
  })
  const barsHeight = panel.bars.length * (BAR_HEIGHT + BAR_GAP)
  if (panel.target) {
    const tx = x(panel.target.value).toFixed(1)
    parts.push(
      `<line x1="${tx}" y1="${top + TITLE_HEIGHT - 4}" x2="${tx}" y2="${top + TITLE_HEIGHT + barsHeight}" class="target"/>`,
      `<text x="${tx}" y="${top + TITLE_HEIGHT + barsHeight + 12}" class="note" text-anchor="middle">${escapeXml(panel.target.label)}</text>`
    )
  }
  return { svg: parts.join('\n'), height: TITLE_HEIGHT + barsHeight + (panel.target ? 16 : 0) }
}

function panels (results: BenchResults): Panel[] {
  const read = results.readOverhead
  const list: Panel[] = [
    {
      title: '1. Read: requests per second (DescribeIdentityProviderConfig)',
      bars: read.flatMap(run => [
        { label: `emulator direct, ${run.connections} conn.`, value: run.emulator.requestsPerSecond, text: perSecond(run.emulator.requestsPerSecond), tone: 'baseline' as const },
        { label: `service, defaults, ${run.connections} conn.`, value: run.service.load.requestsPerSecond, text: `${perSecond(run.service.load.requestsPerSecond)} (${(run.service.throughputRatio * 100).toFixed(0)}% of direct)`, tone: 'service' as const },
        { label: `service, no-cache, ${run.connections} conn.`, value: run.everyCall.load.requestsPerSecond, text: `${perSecond(run.everyCall.load.requestsPerSecond)} (${(run.everyCall.throughputRatio * 100).toFixed(0)}% of direct)`, tone: 'other' as const }
      ])
    },
    {
      title: '1. Read: p50 latency',
      bars: read.flatMap<Bar>(run => [
        { label: `emulator direct, ${run.connections} conn.`, value: run.emulator.p50Ms, text: ms(run.emulator.p50Ms), tone: 'baseline' as const },
        { label: `service, defaults, ${run.connections} conn.`, value: run.service.load.p50Ms, text: `${ms(run.service.load.p50Ms)} (+${ms(run.service.addedP50Ms)})`, tone: 'service' as const },
        { label: `service, no-cache, ${run.connections} conn.`, value: run.everyCall.load.p50Ms, text: `${ms(run.everyCall.load.p50Ms)} (+${ms(run.everyCall.addedP50Ms)})`, tone: 'other' as const }
      ]).concat({ label: 'AWS SDK client direct, 1 conn.', value: results.sdkDirect.p50Ms, text: ms(results.sdkDirect.p50Ms), tone: 'other' as const })
    }
  ]
  if (!('skipped' in results.awsCli)) {
    list.push({
      title: '2. Per call: AWS CLI v2 (median wall time) vs the service (p50)',
      bars: results.awsCli.flatMap(op => [
        { label: `aws eks, ${op.operation}`, value: op.cliMedianMs, text: ms(op.cliMedianMs), tone: 'other' as const },
        { label: `service, ${op.operation}`, value: op.serviceP50Ms, text: `${ms(op.serviceP50Ms)} (${op.cliToServiceRatio.toFixed(0)}× faster)`, tone: 'service' as const }
      ])
    })
  }
  list.push(
    {
      title: `3. Associate: requests per second with and without an Idempotency-Key, ${results.settings.writeConnections.at(-1)} connections`,
      bars: results.idempotency.filter(run => run.connections === results.settings.writeConnections.at(-1)).flatMap(run => [
        { label: `${run.store}, no key`, value: run.byKind['no key'].requestsPerSecond, text: perSecond(run.byKind['no key'].requestsPerSecond), tone: 'baseline' as const },
        { label: `${run.store}, Idempotency-Key`, value: run.byKind.key.requestsPerSecond, text: `${perSecond(run.byKind.key.requestsPerSecond)} (${(run.throughputRatio * 100).toFixed(0)}%)`, tone: 'service' as const },
        { label: `${run.store}, replayed`, value: run.byKind.replay.requestsPerSecond, text: perSecond(run.byKind.replay.requestsPerSecond), tone: 'other' as const }
      ])
    },
    {
      title: `4. Fleet sweep at ${results.settings.fleetRatePerService} AWS requests/s per service: total vs floor`,
      bars: results.fleet.flatMap(run => [
        { label: `floor (${run.clusters} clusters)`, value: run.floorSeconds, text: `${run.floorSeconds.toFixed(1)} s`, tone: 'baseline' as const },
        { label: run.label, value: run.totalSeconds, text: `${run.totalSeconds.toFixed(1)} s (${run.floorRatio.toFixed(2)}×, ${run.failedClusters} failed)`, tone: 'service' as const }
      ])
    },
    {
      title: '5. Service resident memory',
      target: { value: results.targets.memory.maxPeakRssBytes / 1024 / 1024, label: `target ${mib(results.targets.memory.maxPeakRssBytes)}` },
      bars: results.memory.flatMap(m => [
        { label: `${m.store}, peak with the defaults`, value: m.lifetimePeakRss / 1024 / 1024, text: mib(m.lifetimePeakRss), tone: 'service' as const },
        { label: `${m.store}, peak after no-cache reads`, value: m.everyCallPeakRss / 1024 / 1024, text: mib(m.everyCallPeakRss), tone: 'other' as const }
      ])
    }
  )
  return list
}

export function renderChart (results: BenchResults): string {
  let top = 40
  const bodies: string[] = []
  for (const panel of panels(results)) {
    const { svg, height } = panelSvg(panel, top)
    bodies.push(svg)
    top += height + PANEL_GAP
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px}.value{font-size:12px}.note{font-size:11px;fill:#b3261e}.target{stroke:#b3261e;stroke-width:2;stroke-dasharray:4 3}</style>',
    `<rect width="${WIDTH}" height="${top}" fill="white"/>`,
    `<text x="10" y="22" font-size="16">eks-oidc-api benchmark (${results.mode}, ${escapeXml(results.startedAt)}, load average before ${results.loadBefore.loadAverage.join(' ')})</text>`,
    ...bodies,
    '</svg>',
    ''
  ].join('\n')
}
