/**
 * One simulated server behind a BareMetalHost. It converges on what its host says: provisioned and
 * powered on → booted (cloud-init then the boot script); powered off → every process killed;
 * anything else after provisioning (deprovisioning, cleaning, deleted) → off and sandbox wiped.
 * Every off it is told is carried out, also when an on follows before it got there: a power cycle
 * (BMO's reboot) that arrives while a boot is still running ends that boot and starts a new one.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../plugin/contract.js';
import { BOOT_SCRIPT_PATH } from './bootScript.js';
import { CloudConfigError, hasCloudConfigHeader, parseCloudConfig } from './cloudConfig.js';
import { applyCloudConfig } from './cloudInit.js';
import { writeConfigDrive, CONFIG_DRIVE_SEED } from './configDrive.js';
import type { ConsoleLog } from './consoleLog.js';
import { LoopbackBridge, loopbackPorts } from './loopbackBridge.js';
import { NetworkDataError, parseNetworkData, type NetworkSettings } from './networkData.js';
import { describeRunner, LAB_CLOUD_CFG, LAB_CLOUD_CFG_PATH, type CloudInitRunner, type Nic } from './realBoot.js';
import type { Sandbox } from './sandbox.js';
import { LAB_KUBELET_ENV_PATH } from '../vcluster/standins.js';

/** How long power off waits for a killed boot script to close. */
const KILLED_CLOSE_WAIT_MS = 2000;

export type ServerPhase = 'Booting' | 'Running' | 'Failed' | 'Rejected' | 'PoweredOff' | 'Wiped';

export interface ServerStatus {
  host: string;
  namespace: string;
  phase: ServerPhase;
  message?: string;
  hostname?: string;
  sandboxMode: Sandbox['mode'];
  /** Who runs the user data: Debian's cloud-init, or the lab's built-in interpreter (fallback). */
  runner: CloudInitRunner['kind'];
  bootCount: number;
  /** How long the last boot's cloud-init stages took (real runner), in ms. */
  cloudInitMs?: number;
  /** Exit code of the last boot script (runcmd's, on first boot). */
  lastExitCode?: number;
  network?: Omit<NetworkSettings, 'warnings'>;
}

/** What the server needs to know about its BareMetalHost. */
export interface HostView {
  uid: string;
  state: string;
  poweredOn: boolean;
  userData?: { name: string; namespace?: string };
  networkData?: { name: string; namespace?: string };
  /** The host's NICs (status.hardware.nics, else the boot MAC): the real runner gives the server these. */
  nics: Nic[];
  deleted?: boolean;
}

export interface ServerDeps {
  host: string;
  namespace: string;
  sandbox: Sandbox;
  runner: CloudInitRunner;
  console: ConsoleLog;
  /** Reads one key of a Secret; undefined when the Secret or key is missing. */
  readSecretKey(ref: { name: string; namespace?: string }, key: string): Promise<string | undefined>;
  bootDelayMs: number;
  heartbeatMs: number;
  logger?: Logger;
  onStatus(status: ServerStatus): void;
}

type Power = 'on' | 'off' | 'wiped';

export class SimulatedServer {
  private view?: HostView;
  private desired: Power = 'off';
  private actual: Power = 'off';
  /** An off (or wipe) the host asked for that the server has not carried out yet, whatever came after it. */
  private pendingOff?: Exclude<Power, 'on'>;
  private loop?: Promise<void>;
  private bootAbort?: AbortController;
  private bootProcess?: ChildProcess;
  private readonly groups = new Set<number>();
  private readonly bridge = new LoopbackBridge();
  readonly status: ServerStatus;

  constructor(private readonly deps: ServerDeps) {
    this.status = { host: deps.host, namespace: deps.namespace, phase: 'PoweredOff', sandboxMode: deps.sandbox.mode, runner: deps.runner.kind, bootCount: 0 };
  }

  update(view: HostView): void {
    this.view = view;
    const provisioned = view.state === 'provisioned' && !view.deleted;
    this.desired = provisioned ? (view.poweredOn ? 'on' : 'off') : 'wiped';
    if (this.desired !== 'on') {
      this.pendingOff = this.desired === 'wiped' || this.pendingOff === 'wiped' ? 'wiped' : 'off';
      this.bootAbort?.abort();
    }
    this.kick();
  }

  /** Resolves when the server has converged (or is idle). */
  async settled(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Powers off for good (farm shutdown); the sandbox stays. */
  async shutdown(): Promise<void> {
    this.desired = 'off';
    this.bootAbort?.abort();
    this.kick();
    await this.settled();
  }

  private kick(): void {
    this.loop ??= this.drive()
      .catch((err) => this.deps.logger?.error({ host: this.deps.host, err: String(err) }, 'server step failed'))
      .finally(() => {
        this.loop = undefined;
        if (!this.converged()) this.kick();
      });
  }

  private converged(): boolean {
    return this.pendingOff === undefined && this.desired === this.actual;
  }

  private async drive(): Promise<void> {
    while (!this.converged()) {
      const off = this.pendingOff;
      this.pendingOff = undefined;
      if (off !== undefined && off !== this.actual) {
        await this.turnOff(off);
      } else if (this.desired === 'on') {
        if (this.actual === 'wiped') this.deps.console.reopen();
        await this.boot();
      } else if (this.desired !== this.actual) {
        await this.turnOff(this.desired);
      }
    }
  }

  private async turnOff(target: Exclude<Power, 'on'>): Promise<void> {
    await this.powerOff();
    if (target === 'wiped' && this.actual !== 'wiped') {
      await this.deps.sandbox.wipe();
      this.deps.console.write('Deprovisioned: sandbox wiped (console log kept)');
      this.setStatus({ phase: 'Wiped', message: 'sandbox wiped', hostname: undefined, network: undefined });
    }
    this.actual = target;
  }

  private setStatus(patch: Partial<ServerStatus>): void {
    Object.assign(this.status, patch);
    this.deps.onStatus({ ...this.status });
  }

  private async boot(): Promise<void> {
    const abort = new AbortController();
    this.bootAbort = abort;
    const { console: log } = this.deps;
    this.setStatus({ phase: 'Booting', bootCount: this.status.bootCount + 1, message: undefined, lastExitCode: undefined });
    const real = this.deps.runner.kind === 'cloud-init';
    const sandboxNote = this.deps.sandbox.mode === 'prefix'
      ? 'sandbox mode: prefix (unshare not permitted: ROOT-prefix fallback, runcmd sees the real filesystem)'
      : 'sandbox mode: namespace (private mount and UTS namespace)';
    log.write(`Power on (boot ${this.status.bootCount}); ${real ? '' : `${sandboxNote}; `}user data run by ${describeRunner(this.deps.runner)}`);
    try {
      await delay(this.deps.bootDelayMs, undefined, { signal: abort.signal });
      if (real) {
        await this.bootWithCloudInit(abort.signal);
        return;
      }
      const hostname = await this.runCloudInit(abort.signal);
      if (hostname === false || abort.signal.aborted) return;
      this.startBootScript(hostname);
    } catch (err) {
      if (abort.signal.aborted) return;
      const message = err instanceof CloudConfigError || err instanceof NetworkDataError ? err.message : `boot failed: ${String(err)}`;
      log.write(`cloud-init: ${message}`);
      this.setStatus({ phase: 'Failed', message });
    } finally {
      // Also an interrupted boot is on: the off that interrupted it follows and stops whatever it started.
      this.actual = 'on';
    }
  }

  /** The host's cloud-config user data; undefined when the boot was interrupted or (status set) there is nothing (valid) to run. */
  private async readUserData(signal: AbortSignal): Promise<string | undefined> {
    const { console: log } = this.deps;
    const view = this.view!;
    if (signal.aborted) return undefined;
    if (!view.userData) {
      log.write('cloud-init: no user data (spec.userData unset); nothing to do');
      this.setStatus({ phase: 'Running', message: 'no user data' });
      return undefined;
    }
    const userData = await this.deps.readSecretKey(view.userData, 'userData');
    if (signal.aborted) return undefined;
    if (userData === undefined) throw new CloudConfigError(`user data: Secret ${view.userData.name} has no key "userData"`);
    if (!hasCloudConfigHeader(userData)) {
      const message = 'user data rejected: the first line is not "#cloud-config" (only cloud-config user data is supported)';
      log.write(`cloud-init: ${message}`);
      this.setStatus({ phase: 'Rejected', message });
      return undefined;
    }
    return userData;
  }

  /**
   * Debian's cloud-init runs every stage on the config drive (realBoot.ts). The boot script ends
   * after the final stage; the daemons it started (containerd, kubelet) keep the server running.
   */
  private async bootWithCloudInit(signal: AbortSignal): Promise<void> {
    const view = this.view!;
    const networkData = view.networkData ? await this.readNetworkData(view.networkData) : undefined;
    const userData = await this.readUserData(signal);
    if (userData === undefined) return;
    let hostname: string | undefined;
    try {
      hostname = parseCloudConfig(userData).hostname;
    } catch {
      // cloud-init judges the document itself; the status just has no hostname then.
    }
    this.setStatus({ hostname, cloudInitMs: undefined });
    const { sandbox } = this.deps;
    const ports = loopbackPorts(userData);
    const bridgeDir = await this.bridge.open(ports);
    const plan = await sandbox.prepareRealBoot(view.nics, { dir: bridgeDir, ports });
    await writeConfigDrive(sandbox.hostPath(CONFIG_DRIVE_SEED), { uuid: view.uid, hostname: this.deps.host, userData, networkData });
    await this.writeFile(LAB_CLOUD_CFG_PATH, LAB_CLOUD_CFG);
    await this.writeFile(LAB_KUBELET_ENV_PATH, `KUBELET_HEARTBEAT_MS=${this.deps.heartbeatMs}\n`);
    if (signal.aborted) return;
    this.deps.console.write(`config drive: user_data, meta_data.json${networkData !== undefined ? ', network_data.json' : ''}; NICs ${view.nics.map((n) => `${n.name} ${n.mac}`).join(', ') || 'none'}; tenant endpoints on loopback: ${ports.join(', ') || 'none'}`);
    this.attach(sandbox.spawnRealBoot(plan), (code, lastLine) => {
      const ms = /cloud-init finished in (\d+) ms/.exec(lastLine ?? '');
      return code === 0
        ? { phase: 'Running', lastExitCode: 0, ...(ms ? { cloudInitMs: Number(ms[1]) } : {}) }
        : { phase: 'Failed', lastExitCode: code ?? undefined, message: lastLine?.replace(/^lab-boot: /, '') ?? `boot exited with code ${code}` };
    });
  }

  private async writeFile(serverPath: string, content: string): Promise<void> {
    const path = this.deps.sandbox.hostPath(serverPath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  /** Applies user/network data; false when the boot was interrupted or there is nothing (valid) to run. */
  private async runCloudInit(signal: AbortSignal): Promise<string | undefined | false> {
    const view = this.view!;
    if (view.networkData) await this.readNetworkData(view.networkData);
    const userData = await this.readUserData(signal);
    if (userData === undefined) return false;
    const config = parseCloudConfig(userData);
    this.setStatus({ hostname: config.hostname });
    const instanceId = view.uid.replace(/[^A-Za-z0-9-]/g, '-') || 'lab-instance';
    await applyCloudConfig({ sandbox: this.deps.sandbox, config, instanceId, console: this.deps.console, heartbeatMs: this.deps.heartbeatMs });
    return config.hostname;
  }

  /** Reads the network data (returned verbatim for the config drive) and reports what it configures. */
  private async readNetworkData(ref: { name: string; namespace?: string }): Promise<string | undefined> {
    const { console: log } = this.deps;
    const text = await this.deps.readSecretKey(ref, 'networkData');
    if (text === undefined) {
      log.write(`network: WARNING Secret ${ref.name} has no key "networkData"; no static configuration`);
      return undefined;
    }
    try {
      const { warnings, ...settings } = parseNetworkData(text);
      log.write(`network (${settings.format}): ${settings.interface ?? '?'} address ${settings.address ?? '-'} gateway ${settings.gateway ?? '-'} dns ${settings.dns.join(',') || '-'}`);
      for (const warning of warnings) log.write(`network: WARNING ${warning}`);
      this.setStatus({ network: settings });
    } catch (err) {
      log.write(`network: WARNING ${(err as Error).message}`);
    }
    return text;
  }

  private startBootScript(hostname: string | undefined): void {
    this.attach(this.deps.sandbox.spawnScript(BOOT_SCRIPT_PATH, hostname), (code) => (code === 0
      ? { phase: 'Running', lastExitCode: 0 }
      : { phase: 'Failed', lastExitCode: code ?? undefined, message: `boot script exited with code ${code}` }));
  }

  /** Streams a boot process's output to the console; its exit decides the status (`lastLine`: its last `lab-boot:` line). */
  private attach(child: ChildProcess, outcome: (code: number | null, lastLine: string | undefined) => Partial<ServerStatus>): void {
    const { console: log } = this.deps;
    let lastLine: string | undefined;
    this.bootProcess = child;
    if (child.pid) this.groups.add(child.pid);
    const forward = (stream: NodeJS.ReadableStream | null) => {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('lab-boot: ')) lastLine = line;
        if (lines.length) log.write(lines.join('\n'));
      });
      stream?.on('end', () => buffered && log.write(buffered));
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on('error', (err) => log.write(`boot: could not start the boot script: ${err.message}`));
    child.on('close', (code, signal) => {
      if (this.bootProcess === child) this.bootProcess = undefined;
      log.write(`boot: script ended with ${signal ? `signal ${signal}` : `exit code ${code}`}`);
      if (signal || this.status.phase !== 'Booting') return;
      this.setStatus(outcome(code, lastLine));
    });
  }

  private async powerOff(): Promise<void> {
    this.bootAbort?.abort();
    const running = this.bootProcess;
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    }
    this.groups.clear();
    if (running && running.exitCode === null && running.signalCode === null) await closedWithin(running, KILLED_CLOSE_WAIT_MS);
    await this.bridge.close();
    if (this.actual === 'on') {
      this.deps.console.write('Power off: all processes stopped');
      this.setStatus({ phase: 'PoweredOff', message: undefined });
    }
  }
}

/** Waits until `child` closes, at most `ms`; no timer is left behind either way (a stopped world holds nothing). */
async function closedWithin(child: ChildProcess, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([
    new Promise((resolve) => child.once('close', resolve)),
    delay(ms, undefined, { signal: timer.signal }).catch(() => undefined),
  ]);
  timer.abort();
}
