/**
 * The filesystem and process sandbox of one simulated server, rooted at `rootDir/<host>/`.
 *
 * Namespace mode (preferred; needs root and `unshare`): the boot script runs in its own mount and
 * UTS namespace (`unshare --mount --uts --propagation private`). Inside it, `/etc` and `/usr/local`
 * are overlayfs mounts (host content below, the server's changes land in `<sandbox>/etc`,
 * `<sandbox>/usr/local`), and `/etc/systemd/system /opt /root /home /var/lib /var/log /run /tmp` are bind mounts of the
 * server's own empty directories. Real bash, curl and openssl from the host keep working; nothing
 * the server writes reaches the host. `hostname` is the server's.
 *
 * Prefix mode (fallback when unshare is not permitted): the script runs with `ROOT=<sandbox>`; the
 * shims, join script and stand-ins honour `$ROOT`, and write_files paths are rewritten into the
 * sandbox, but user runcmd commands with absolute paths see the real machine. The console says so.
 *
 * Either way PATH starts with `/run/sim/shims` (systemctl, hostnamectl and harmless no-ops) and
 * every process of a boot shares one process group, so powering off kills them all.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../vcluster/joinScript.js';
import { realBootScript, type Nic, type RealBootPlan } from './realBoot.js';
import { SHIMS } from './shims.js';

const run = promisify(execFile);

export type SandboxMode = 'namespace' | 'prefix';

const OVERLAY_DIRS = ['/etc', '/usr/local'];
// /etc/systemd/system is private too: the host's enabled units must not start on the server.
const PRIVATE_DIRS = ['/etc/systemd/system', '/opt', '/root', '/home', '/var/lib', '/var/log', '/run', '/tmp'];
const BOOT_PATH = '/run/sim/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Kept when the sandbox is wiped. */
export const CONSOLE_FILE = 'console.log';

/** Tries the namespace mode once: unshare plus an overlay mount in a throwaway directory. */
export async function detectSandboxMode(): Promise<SandboxMode> {
  const probe = await mkdtemp(join(tmpdir(), 'sandbox-probe-'));
  try {
    await Promise.all(['up', 'work', 'target'].map((d) => mkdir(join(probe, d))));
    const mountCmd = `mount -t overlay lab-probe -o lowerdir=/etc,upperdir=${probe}/up,workdir=${probe}/work ${probe}/target`;
    await run('unshare', ['--mount', '--uts', '--propagation', 'private', 'bash', '-c', `${mountCmd} && hostname lab-probe`], { timeout: 10_000 });
    return 'namespace';
  } catch {
    return 'prefix';
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/** Refuses a rootDir the namespace mode would hide under an overlay (the sandbox must stay reachable). */
export function checkRootDir(rootDir: string): void {
  const abs = resolve(rootDir);
  for (const dir of OVERLAY_DIRS) {
    if (abs === dir || abs.startsWith(`${dir}/`)) throw new Error(`server farm: rootDir ${abs} must not be inside ${dir}`);
  }
}

export class Sandbox {
  readonly root: string;
  /** The real-boot overlay's work and mount folders, beside the sandboxes (never inside the upper layer). */
  private readonly overlayDir: string;

  constructor(rootDir: string, host: string, readonly mode: SandboxMode) {
    this.root = join(resolve(rootDir), host);
    this.overlayDir = join(resolve(rootDir), '.overlay', host);
  }

  /** Where a server path (`/etc/x`) lives on the machine running the lab. */
  hostPath(serverPath: string): string {
    return join(this.root, serverPath);
  }

  /** True when a server path lands in a directory the sandbox maps. */
  isMapped(serverPath: string): boolean {
    return [...OVERLAY_DIRS, ...PRIVATE_DIRS].some((dir) => serverPath === dir || serverPath.startsWith(`${dir}/`));
  }

  /** Creates the directory tree and a fresh /run (it is a tmpfs on a real server) with the shims. */
  async prepareBoot(): Promise<void> {
    await rm(this.hostPath('/run'), { recursive: true, force: true });
    const dirs = [...OVERLAY_DIRS, ...PRIVATE_DIRS, '/run/sim/shims', '/var/lib/cloud/instance/scripts']
      .map((d) => this.hostPath(d));
    dirs.push(...OVERLAY_DIRS.map((d) => join(this.root, '.overlay-work', d.slice(1).replaceAll('/', '-'))));
    await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
    await chmod(this.hostPath('/tmp'), 0o1777);
    for (const [name, script] of Object.entries(SHIMS)) {
      await writeFile(this.hostPath(`/run/sim/shims/${name}`), script, { mode: 0o755 });
    }
  }

  /** Folders for a real cloud-init boot (fresh /run with the shims and /tmp); the sandbox is the overlay's upper layer. */
  async prepareRealBoot(nics: Nic[], bridge: RealBootPlan['bridge']): Promise<RealBootPlan> {
    const plan: RealBootPlan = {
      upper: this.root, work: join(this.overlayDir, 'work'), merged: join(this.overlayDir, 'merged'),
      run: this.hostPath('/run'), tmp: this.hostPath('/tmp'), nics, bridge,
    };
    await rm(plan.run, { recursive: true, force: true });
    await rm(plan.work, { recursive: true, force: true });
    await Promise.all([plan.work, plan.merged, plan.tmp, this.hostPath('/run/sim/shims')].map((d) => mkdir(d, { recursive: true })));
    await chmod(plan.tmp, 0o1777);
    for (const [name, script] of Object.entries(SHIMS)) {
      await writeFile(this.hostPath(`/run/sim/shims/${name}`), script, { mode: 0o755 });
    }
    return plan;
  }

  /** Starts a real cloud-init boot (realBoot.ts) as the leader of a new process group. */
  spawnRealBoot(plan: RealBootPlan): ChildProcess {
    return spawn('unshare', ['--mount', '--uts', '--net', '--propagation', 'private', 'bash', '-c', realBootScript(plan)], {
      cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
  }

  /** Starts `serverScript` (a path inside the server) as the leader of a new process group. */
  spawnScript(serverScript: string, hostname: string | undefined): ChildProcess {
    if (this.mode === 'prefix') {
      return spawn('bash', [this.hostPath(serverScript)], {
        cwd: this.root, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: `${this.hostPath('/run/sim/shims')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: this.hostPath('/root'), ROOT: this.root, LANG: 'C.UTF-8' },
      });
    }
    return spawn('unshare', ['--mount', '--uts', '--propagation', 'private', 'bash', '-c', this.namespaceSetup(serverScript, hostname)], {
      cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
  }

  /** Mounts in an order that keeps the sandbox reachable until its last mount (rootDir may sit in /tmp). */
  private namespaceSetup(serverScript: string, hostname: string | undefined): string {
    const q = shellQuote;
    const overlays = OVERLAY_DIRS.map((dir) => {
      const work = join(this.root, '.overlay-work', dir.slice(1).replaceAll('/', '-'));
      return `mount -t overlay lab-sandbox -o ${q(`lowerdir=${dir},upperdir=${this.hostPath(dir)},workdir=${work}`)} ${dir}`;
    });
    const hidesRoot = (dir: string) => !relative(dir, this.root).startsWith('..');
    const binds = [...PRIVATE_DIRS].sort((a, b) => Number(hidesRoot(a)) - Number(hidesRoot(b)))
      .map((dir) => `mount --bind ${q(this.hostPath(dir))} ${dir}`);
    return [
      'set -e',
      ...overlays,
      ...binds,
      hostname ? `hostname ${q(hostname)}` : ':',
      'cd /',
      `exec env -i PATH=${BOOT_PATH} HOME=/root LANG=C.UTF-8 TERM=dumb bash ${q(serverScript)}`,
    ].join('\n');
  }

  /** Removes everything the server wrote; keeps the console log. */
  async wipe(): Promise<void> {
    await rm(this.overlayDir, { recursive: true, force: true });
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    await Promise.all(entries.filter((e) => e !== CONSOLE_FILE).map((e) => rm(join(this.root, e), { recursive: true, force: true })));
  }
}
