/**
 * One lab API server of the multi-site bench in its own process, so its store (10,000 hosts) neither
 * weighs on the plugin's RSS nor steals the plugin's event loop. The child (`--serve NAME --hosts N
 * --latency MS`) builds a bench world (`world.ts`: hosts seeded `available` straight into the store, datacenter = NAME; with 0 hosts the
 * management cluster's OSImage, SSHKey and namespaces) and answers the parent over IPC: `reset` (counters
 * to zero), `snapshot` (requests by verb, bytes, 409s, handler time, RSS) and `stop`. The parent side is
 * `SiteServerProcess`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { StatsSnapshot } from '../../lab/kube/index.js';
import { BurstProfiler } from './cpuProfile.js';
import { MiB, StatusCounter } from './metrics.js';
import { startWorld } from './world.js';

/** What a site server reports about the requests since the last reset. */
export interface SiteServerSnapshot {
  stats: StatsSnapshot;
  /** Every 409 the server answered (Conflict and AlreadyExists). */
  http409: number;
  rssMiB: number;
  /** CPU time (user + system) of the server process since the last reset. */
  cpuMs: number;
}

type Command = { id: number; cmd: 'reset' | 'snapshot' | 'stop' };
type Reply = { id: number; snapshot?: SiteServerSnapshot };
type Ready = { ready: true; kubeconfig: string; setupMs: number } | { ready: false; error: string };

/** The compiled child entry beside this module (dist/test/bench/siteServer.js). */
export const SITE_SERVER_ENTRY = fileURLToPath(new URL('./siteServer.js', import.meta.url));

const SETUP_DEADLINE_MS = 600_000;

export class SiteServerProcess {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: Reply) => void>();

  private constructor(readonly name: string, readonly kubeconfig: string, readonly setupMs: number, private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  /** Forks `entry` (the compiled siteServer.js, or a bundle of it in tests) and waits for its world. */
  static start(opts: { name: string; hosts: number; latencyMs: number; entry?: string; cpuProfileFile?: string }): Promise<SiteServerProcess> {
    const args = ['--serve', opts.name, '--hosts', String(opts.hosts), '--latency', String(opts.latencyMs), ...(opts.cpuProfileFile ? ['--cpu-prof', opts.cpuProfileFile] : [])];
    const child = fork(opts.entry ?? SITE_SERVER_ENTRY, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`site server ${opts.name}: no world within ${SETUP_DEADLINE_MS / 1000} s`)), SETUP_DEADLINE_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill();
        reject(err);
      };
      child.once('exit', (code, signal) => fail(new Error(`site server ${opts.name} exited (${signal ?? code}) before its world was ready`)));
      child.once('message', (m: Ready) => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        if (m.ready) resolve(new SiteServerProcess(opts.name, m.kubeconfig, m.setupMs, child));
        else fail(new Error(`site server ${opts.name}: ${m.error}`));
      });
    });
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  async snapshot(): Promise<SiteServerSnapshot> {
    return (await this.ask('snapshot')).snapshot!;
  }

  /** Stops the server and waits for the process to end (killed if it does not within 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    if (this.child.connected) this.child.send({ id: this.nextId++, cmd: 'stop' } satisfies Command);
    else this.child.kill();
    await exited;
    clearTimeout(kill);
  }

  private ask(cmd: Command['cmd']): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const gone = () => reject(new Error(`site server ${this.name} exited during ${cmd}`));
      this.child.once('exit', gone);
      this.waiting.set(id, (reply) => {
        this.child.off('exit', gone);
        resolve(reply);
      });
      this.child.send({ id, cmd } satisfies Command);
    });
  }
}

/** With `profileFile`, the server's CPU is profiled from each `reset` to the next `snapshot` (the measured burst). */
async function serve(name: string, hosts: number, latencyMs: number, profileFile?: string): Promise<void> {
  const send = (message: Ready | Reply) => process.send?.(message);
  let world;
  try {
    world = await startWorld({ hosts, latencyMs, datacenter: name, seed: 'store' });
  } catch (err) {
    send({ ready: false, error: String((err as Error)?.message ?? err) });
    process.exit(1);
  }
  let statuses = new StatusCounter(ServerResponse.prototype);
  let cpuSince = process.cpuUsage();
  let profiler: BurstProfiler | undefined;
  // The parent is gone (it crashed or was killed): nobody will ever send `stop`.
  process.on('disconnect', () => void world.close().finally(() => process.exit(0)));
  process.on('message', (m: Command) => {
    if (m.cmd === 'reset') {
      world.api.stats.reset();
      statuses.stop();
      statuses = new StatusCounter(ServerResponse.prototype);
      cpuSince = process.cpuUsage();
      if (profileFile) void (profiler = new BurstProfiler()).start().then(() => send({ id: m.id }));
      else send({ id: m.id });
    } else if (m.cmd === 'snapshot') {
      const cpu = process.cpuUsage(cpuSince);
      const snapshot = { stats: world.api.stats.snapshot(), http409: statuses.count(409), rssMiB: process.memoryUsage().rss / MiB, cpuMs: (cpu.user + cpu.system) / 1000 };
      const stopping = profiler && profileFile ? profiler.stop(profileFile) : Promise.resolve();
      profiler = undefined;
      void stopping.then(() => send({ id: m.id, snapshot }));
    } else {
      void world.close().finally(() => process.exit(0));
    }
  });
  send({ ready: true, kubeconfig: world.api.kubeconfigYaml(), setupMs: world.setupMs });
}

const at = process.argv.indexOf('--serve');
if (at >= 0) {
  const value = (flag: string) => Number(process.argv[process.argv.indexOf(flag) + 1]);
  const prof = process.argv.indexOf('--cpu-prof');
  await serve(process.argv[at + 1]!, value('--hosts'), value('--latency'), prof >= 0 ? process.argv[prof + 1] : undefined);
}
