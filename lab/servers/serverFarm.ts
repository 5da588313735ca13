/**
 * The simulated servers behind a namespace of BareMetalHosts. One informer watches every host;
 * only hosts that reach `provisioned` get a server object, so 10,000 idle hosts cost a map lookup
 * per event. User and network data are read from the Secrets the host references, like a config
 * drive would deliver them.
 */
import { EventEmitter } from 'node:events';
import { CoreV1Api, CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { secretValues } from '../vcluster/bootstrapTokens.js';
import { ConsoleLog } from './consoleLog.js';
import { describeRunner, detectCloudInit, type CloudInitRunner, type Nic } from './realBoot.js';
import { checkRootDir, CONSOLE_FILE, detectSandboxMode, Sandbox, type SandboxMode } from './sandbox.js';
import { SimulatedServer, type HostView, type ServerStatus } from './server.js';

const SECRET_READ_ATTEMPTS = 20;
const SECRET_READ_RETRY_MS = 250;

export interface ServerFarmOptions {
  /** Management cluster, where BareMetalHosts and their user/network data Secrets live. */
  kubeConfig: KubeConfig;
  namespace: string;
  /** Per-server sandboxes: `rootDir/<bmh-name>/`. */
  rootDir: string;
  /** Time from power-on to cloud-init. Default 500 ms. */
  bootDelayMs?: number;
  /** Kubelet heartbeat interval. Default 1000 ms. */
  heartbeatMs?: number;
  logger?: Logger;
  /** Default `auto`: namespace mode when unshare works, else prefix mode. */
  sandboxMode?: SandboxMode | 'auto';
  /**
   * Who runs the user data. Default `auto`: Debian's cloud-init when it is installed and the
   * namespaces for a real boot can be made (namespace sandbox mode), else the built-in interpreter.
   */
  cloudInit?: 'auto' | 'builtin';
}

export interface ServerFarm {
  /** The console log of a server (empty when it never booted). */
  consoleLog(host: string): string;
  servers(): ServerStatus[];
  sandboxMode: SandboxMode;
  runner: CloudInitRunner;
  /** One line for people: which cloud-init runs the servers' user data. */
  runnerDescription: string;
  on(event: 'status', listener: (status: ServerStatus) => void): void;
  off(event: 'status', listener: (status: ServerStatus) => void): void;
  stop(): Promise<void>;
}

interface BareMetalHost extends KubernetesObject {
  spec?: { userData?: { name: string; namespace?: string }; networkData?: { name: string; namespace?: string }; bootMACAddress?: string };
  status?: { provisioning?: { state?: string }; poweredOn?: boolean; hardware?: { nics?: { name?: string; mac?: string }[] } };
}

/** Linux interface names are at most 15 bytes. */
const IFNAMSIZ = 15;

/** The host's NICs as the server sees them: inspected NICs, else one boot NIC. */
function nicsOf(bmh: BareMetalHost): Nic[] {
  const seen = new Set<string>();
  const nics: Nic[] = [];
  for (const nic of bmh.status?.hardware?.nics ?? []) {
    const mac = nic.mac?.toLowerCase();
    if (!mac || seen.has(mac)) continue;
    seen.add(mac);
    nics.push({ name: (nic.name || `eth${nics.length}`).slice(0, IFNAMSIZ), mac });
  }
  const boot = bmh.spec?.bootMACAddress?.toLowerCase();
  if (nics.length === 0 && boot) nics.push({ name: 'eth0', mac: boot });
  return nics;
}

function viewOf(bmh: BareMetalHost, deleted = false): HostView {
  return {
    uid: bmh.metadata?.uid ?? bmh.metadata?.name ?? '',
    state: bmh.status?.provisioning?.state ?? '',
    poweredOn: bmh.status?.poweredOn === true,
    userData: bmh.spec?.userData,
    networkData: bmh.spec?.networkData,
    nics: nicsOf(bmh),
    deleted,
  };
}

export async function startServerFarm(opts: ServerFarmOptions): Promise<ServerFarm> {
  checkRootDir(opts.rootDir);
  const mode = !opts.sandboxMode || opts.sandboxMode === 'auto' ? await detectSandboxMode() : opts.sandboxMode;
  const runner: CloudInitRunner = opts.cloudInit === 'builtin'
    ? { kind: 'builtin', reason: 'chosen by the lab' }
    : mode === 'namespace' ? await detectCloudInit() : { kind: 'builtin', reason: 'no namespace sandbox' };
  const logger = opts.logger?.child({ component: 'server-farm' });
  logger?.info({ mode, rootDir: opts.rootDir, cloudInit: describeRunner(runner) }, 'server farm sandbox mode');
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  const events = new EventEmitter();
  const servers = new Map<string, SimulatedServer>();
  const consoles = new Map<string, ConsoleLog>();
  let stopped = false;

  // The real config drive is built by BMO/Ironic, which retries API errors until it has the Secret:
  // a transient error (5xx, 429) must not fail the boot, so retry those for a while.
  const readSecretKey = async (ref: { name: string; namespace?: string }, key: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const secret = await core.readNamespacedSecret({ name: ref.name, namespace: ref.namespace ?? opts.namespace });
        return secretValues(secret)[key];
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) return undefined;
        const transient = code === 429 || (code !== undefined && code >= 500);
        if (!transient || attempt >= SECRET_READ_ATTEMPTS || stopped) throw err;
        await new Promise((r) => setTimeout(r, SECRET_READ_RETRY_MS));
      }
    }
  };

  const serverFor = (name: string): SimulatedServer => {
    let server = servers.get(name);
    if (!server) {
      const sandbox = new Sandbox(opts.rootDir, name, mode);
      const console = new ConsoleLog(sandbox.hostPath(`/${CONSOLE_FILE}`));
      consoles.set(name, console);
      server = new SimulatedServer({
        host: name, namespace: opts.namespace, sandbox, runner, console, readSecretKey, logger,
        bootDelayMs: opts.bootDelayMs ?? 500, heartbeatMs: opts.heartbeatMs ?? 1000,
        onStatus: (status) => events.emit('status', status),
      });
      servers.set(name, server);
    }
    return server;
  };

  const onHost = (bmh: BareMetalHost, deleted = false) => {
    const name = bmh.metadata?.name;
    if (!name || stopped) return;
    const view = viewOf(bmh, deleted);
    // Hosts that never reached provisioned have no server: nothing to do.
    if (!servers.has(name) && (view.state !== 'provisioned' || deleted)) return;
    serverFor(name).update(view);
  };

  const path = `/apis/metal3.io/v1alpha1/namespaces/${opts.namespace}/baremetalhosts`;
  const informer: Informer<BareMetalHost> = makeInformer(opts.kubeConfig, path, () =>
    custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: opts.namespace, plural: 'baremetalhosts' }) as Promise<KubernetesListObject<BareMetalHost>>);
  informer.on('add', (bmh) => onHost(bmh));
  informer.on('update', (bmh) => onHost(bmh));
  informer.on('delete', (bmh) => onHost(bmh, true));
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('error', (err) => {
    if (stopped) return;
    logger?.warn({ err: String(err) }, 'BareMetalHost watch failed; restarting');
    restartTimer = setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  await informer.start();

  return {
    sandboxMode: mode,
    runner,
    runnerDescription: describeRunner(runner),
    consoleLog: (host) => consoles.get(host)?.text() ?? '',
    servers: () => [...servers.values()].map((s) => ({ ...s.status })),
    on: (event, listener) => void events.on(event, listener),
    off: (event, listener) => void events.off(event, listener),
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
      await Promise.all([...servers.values()].map((s) => s.shutdown()));
      await Promise.all([...consoles.values()].map((c) => c.flush()));
      events.removeAllListeners();
    },
  };
}
