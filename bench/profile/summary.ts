import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Text summaries of the services' V8 CPU profiles (node --cpu-prof): where the samples landed, by
 * function (self time) and by package, so that "what limits this stage" can be read in a terminal
 * and quoted in docs/benchmarks.md. The .cpuprofile files themselves open in Chrome DevTools or
 * speedscope as flame graphs.
 */
const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export type CpuProfile = z.output<typeof profileSchema>;

/** node_modules/<package>, node:internal, the repository's own directory, or V8's pseudo-frames. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  if (url.startsWith('node:')) return 'node (built-in)';
  const own = /\/(services|shared|bench|scripts)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]!.split('/')[0]}` : url;
}

export interface ProfileSummary {
  /** Sampled time the thread was not idle; shares are of this. */
  busyMs: number;
  idleMs: number;
  frames: { name: string; ms: number; share: number }[];
  areas: { name: string; ms: number; share: number }[];
}

export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const file = url.replace(/^.*\/(node_modules|services|shared|bench|scripts)\//, '$1/');
    const name = url ? `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}` : functionName;
    frames.set(name, (frames.get(name) ?? 0) + ms);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    busyMs += ms;
  });
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busyMs) * 1000) / 10 }));
  return { busyMs: Math.round(busyMs), idleMs: Math.round(idleMs), frames: ranked(frames), areas: ranked(areas) };
}

export function formatSummary(title: string, summary: ProfileSummary): string {
  const rows = (list: ProfileSummary['frames']) =>
    list.map((entry) => `  ${String(entry.share).padStart(5)}%  ${String(entry.ms).padStart(7)} ms  ${entry.name}`);
  return [
    `# ${title}: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle (shares are of busy time)`,
    'self time by area:',
    ...rows(summary.areas),
    'self time by function:',
    ...rows(summary.frames),
    '',
  ].join('\n');
}

const MAIN_THREAD_PROFILE = /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/;

/**
 * Summarises the main-thread profile of each process (one sub-directory per process label) into
 * summary.txt; returns its path.
 */
export function summariseProfiles(directory: string): string {
  const text = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((label) =>
      readdirSync(join(directory, label))
        .filter((name) => MAIN_THREAD_PROFILE.test(name))
        .map((name) =>
          formatSummary(label, summariseProfile(profileSchema.parse(JSON.parse(readFileSync(join(directory, label, name), 'utf8'))))),
        ),
    )
    .join('\n');
  const path = join(directory, 'summary.txt');
  writeFileSync(path, text);
  return path;
}
