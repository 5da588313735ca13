/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by file, so the
 * bench's hot spots can be reported with numbers. `node dist/test/bench/cpuProfile.js FILE [TOP]`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

export function summarise(profile: CpuProfile, key: (frame: ProfileNode['callFrame']) => string): HotSpot[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const k = key(frame);
    self.set(k, (self.get(k) ?? 0) + us);
  });
  return [...self.entries()]
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

const shortUrl = (url: string) => {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  const i = p.indexOf('node_modules/');
  return i >= 0 ? p.slice(i) : path.relative(process.cwd(), p);
};

export const byFunction = (f: ProfileNode['callFrame']) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
export const byFile = (f: ProfileNode['callFrame']) => shortUrl(f.url);

async function main(): Promise<void> {
  const [file, topText = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuProfile.js FILE.cpuprofile [TOP]');
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const top = Number(topText);
  for (const [title, key] of [['function', byFunction], ['file', byFile]] as const) {
    process.stdout.write(`\n| self ms | share | ${title} |\n|---:|---:|---|\n`);
    for (const h of summarise(profile, key).slice(0, top)) {
      process.stdout.write(`| ${h.selfMs.toFixed(0)} | ${(h.share * 100).toFixed(1)}% | ${h.name} |\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}

/** Profiles only what runs between start() and stop() in this process (the measured burst), via the inspector. */
export class BurstProfiler {
  private session?: import('node:inspector/promises').Session;

  async start(): Promise<void> {
    const { Session } = await import('node:inspector/promises');
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  }

  /** Stops profiling and writes the `.cpuprofile` to `file`. */
  async stop(file: string): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(profile));
  }
}
