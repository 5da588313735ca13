/** The provider tests' lab set-up: a recording PluginHost, a NodeProvider config, the platform objects it names. */
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  EventRecorder,
  Logger,
  NodeProviderSpec,
  ObjectRef,
  PluginActivation,
  PluginHost,
  ProviderConfig,
} from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import type { Metal3NodeTypeSpec, Metal3ProviderSpec } from '../../providers/metal3/spec.js';
import { aNodeType } from '../support/builders.js';
import { aPluginHost } from '../support/pluginHost.js';
import type { TestLab } from '../support/lab.js';

export const IMAGE_CHECKSUM = 'a'.repeat(64);

export interface RecordedEvent {
  object: ObjectRef;
  type: string;
  reason: string;
  message: string;
}

/** A logger that keeps every line as JSON text, so tests can assert that secrets never appear. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: string[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private write(level: string, obj: object | string, msg?: string) {
    this.lines.push(JSON.stringify({ level, ...this.bindings, ...(typeof obj === 'string' ? { msg: obj } : obj), msg }));
  }
  debug(obj: object | string, msg?: string) { this.write('debug', obj, msg); }
  info(obj: object | string, msg?: string) { this.write('info', obj, msg); }
  warn(obj: object | string, msg?: string) { this.write('warn', obj, msg); }
  error(obj: object | string, msg?: string) { this.write('error', obj, msg); }
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }
}

/** A PluginHost that keeps what the plugin tells it: events, log lines, and how often node types changed. */
export type RecordingHost = PluginHost & { events: EventRecorder & { recorded: RecordedEvent[] }; logger: RecordingLogger; nodeTypeChanges: number };

export function recordingHost(kubeConfig: KubeConfig): RecordingHost {
  const recorded: RecordedEvent[] = [];
  const events = { recorded, record: (object: ObjectRef, type: string, reason: string, message: string) => void recorded.push({ object, type, reason, message }) };
  const logger = new RecordingLogger();
  const host: RecordingHost = {
    ...aPluginHost(kubeConfig, { logger, events, nodeTypesChanged: () => (host.nodeTypeChanges += 1) }),
    logger,
    events,
    nodeTypeChanges: 0,
  };
  return host;
}

/** A NodeProvider config whose `spec.metal3` the tests may edit as the provider's own type (it is data to the contract). */
export interface Metal3ProviderConfig extends ProviderConfig {
  spec: NodeProviderSpec & { metal3: Metal3ProviderSpec };
}

export function providerConfig(namespace: string, overrides: { properties?: Record<string, string>; nodeTypes?: Metal3NodeTypeSpec[] } = {}): Metal3ProviderConfig {
  return {
    name: 'metal3-provider',
    spec: {
      properties: overrides.properties ?? { 'vcluster.com/os-image': 'ubuntu-noble' },
      metal3: {
        clusterRef: { cluster: 'lab', namespace },
        nodeTypes: overrides.nodeTypes ?? [aNodeType()],
      },
    },
  };
}

/** OSImage `ubuntu-noble` and SSHKey `ops` — the objects the default config refers to. */
export async function seedPlatformObjects(lab: TestLab): Promise<void> {
  await lab.createOsImage('ubuntu-noble', {
    'metal3.vcluster.com/image-url': 'http://images.lab/ubuntu-noble.qcow2',
    'metal3.vcluster.com/image-checksum': IMAGE_CHECKSUM,
    'metal3.vcluster.com/image-checksum-type': 'sha256',
  });
  await lab.createSshKey('ops', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsKeyForTests ops@lab');
}

/** The plugin activated and configured against `lab` (or through `kubeConfig`, e.g. a proxy in front of it). */
export async function activateConfigured(lab: TestLab, config: ProviderConfig = providerConfig(lab.namespace), kubeConfig = lab.kc) {
  const host = recordingHost(kubeConfig);
  const activation: PluginActivation = await activate(host);
  await activation.provider.configure(config);
  return { host, activation, provider: activation.provider };
}

export const CPU_HOST = { labels: { 'hardware-class': 'cpu' }, cpu: 32, ramMebibytes: 131072 };

/**
 * The Netris credentials Secret `netris` (keys url, username `admin`, password) in the hosts
 * namespace, and a one-type provider config (`cpu-node`, the EPYC fleet) that points at it.
 */
export async function netrisProviderConfig(lab: TestLab, netrisUrl: string, password: string): Promise<Metal3ProviderConfig> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await lab.core.createNamespacedSecret({
    namespace: lab.namespace,
    body: { metadata: { name: 'netris' }, data: { url: b64(netrisUrl), username: b64('admin'), password: b64(password) } },
  });
  const config = providerConfig(lab.namespace, {
    nodeTypes: [aNodeType({ resources: { cpu: '64' }, matchLabels: { 'node-role': 'cpu-worker' } })],
  });
  config.spec.metal3!.netris = { secretRef: { name: 'netris' } };
  return config;
}
