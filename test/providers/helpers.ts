import { expect } from '@jest/globals';
/** Shared builders for provider tests: a recording PluginHost, a NodeProvider config, claims, join specs. */
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  EventRecorder,
  JoinSpec,
  Logger,
  Metal3NodeTypeSpec,
  NodeClaimView,
  ObjectRef,
  PluginActivation,
  PluginHost,
  ProviderConfig,
} from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import type { TestLab } from '../support/lab.js';

export const JOIN_TOKEN = 'abcdef.0123456789abcdef';
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

export function recordingHost(kubeConfig: KubeConfig): PluginHost & { events: EventRecorder & { recorded: RecordedEvent[] }; logger: RecordingLogger } {
  const recorded: RecordedEvent[] = [];
  return {
    providerName: 'metal3-provider',
    kubeConfig,
    logger: new RecordingLogger(),
    events: { recorded, record: (object, type, reason, message) => recorded.push({ object, type, reason, message }) },
    replicaId: 'test',
  };
}

export function providerConfig(namespace: string, overrides: { properties?: Record<string, string>; nodeTypes?: Metal3NodeTypeSpec[] } = {}): ProviderConfig {
  return {
    name: 'metal3-provider',
    spec: {
      properties: overrides.properties ?? { 'vcluster.com/os-image': 'ubuntu-noble' },
      metal3: {
        clusterRef: { cluster: 'lab', namespace },
        nodeTypes: overrides.nodeTypes ?? [
          {
            name: 'cpu-node',
            resources: { cpu: '16', memory: '64Gi' },
            bareMetalHosts: { selector: { matchLabels: { 'hardware-class': 'cpu' } } },
          },
        ],
      },
    },
  };
}

let claimCounter = 0;
export function aClaim(overrides: Partial<NodeClaimView> = {}): NodeClaimView {
  claimCounter++;
  return {
    uid: `0000${claimCounter.toString(16).padStart(4, '0')}-1111-2222-3333-${Date.now().toString(16).padStart(12, '0')}`,
    name: `tenant-a-${claimCounter}`,
    namespace: 'p-default',
    nodeType: 'cpu-node',
    vClusterRef: 'tenant-a',
    ...overrides,
  };
}

export const JOIN: JoinSpec = {
  endpoint: 'https://10.0.0.5:8443',
  caCertPem: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----\n',
  caCertHash: `sha256:${'b'.repeat(64)}`,
  token: JOIN_TOKEN,
};

/** OSImage `ubuntu-noble` and SSHKey `ops` — the objects the default config refers to. */
export async function seedPlatformObjects(lab: TestLab): Promise<void> {
  await lab.createOsImage('ubuntu-noble', {
    'metal3.vcluster.com/image-url': 'http://images.lab/ubuntu-noble.qcow2',
    'metal3.vcluster.com/image-checksum': IMAGE_CHECKSUM,
    'metal3.vcluster.com/image-checksum-type': 'sha256',
  });
  await lab.createSshKey('ops', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsKeyForTests ops@lab');
}

export async function activateConfigured(lab: TestLab, config: ProviderConfig = providerConfig(lab.namespace)) {
  const host = recordingHost(lab.kc);
  const activation: PluginActivation = await activate(host);
  await activation.provider.configure(config);
  return { host, activation, provider: activation.provider };
}

export const CPU_HOST = { labels: { 'hardware-class': 'cpu' }, cpu: 32, ramMebibytes: 131072 };

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asserts the claim holds no host, Secret or IP reservation. */
export async function expectNothingLeftFor(lab: TestLab, claimUid: string): Promise<void> {
  const selector = `metal3.vcluster.com/node-claim=${claimUid}`;
  const secrets = await lab.core.listNamespacedSecret({ namespace: lab.namespace, labelSelector: selector });
  const reservations = await lab.core.listNamespacedConfigMap({ namespace: lab.namespace, labelSelector: selector });
  const hosts = (await lab.custom.listNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: lab.namespace, labelSelector: selector,
  })) as { items: unknown[] };
  expect({ secrets: secrets.items.length, reservations: reservations.items.length, hosts: hosts.items.length })
    .toEqual({ secrets: 0, reservations: 0, hosts: 0 });
}

/**
 * The Netris credentials Secret `netris` (keys url, username `admin`, password) in the hosts
 * namespace, and a one-type provider config (`cpu-node`, the EPYC fleet) that points at it.
 */
export async function netrisProviderConfig(lab: TestLab, netrisUrl: string, password: string): Promise<ProviderConfig> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await lab.core.createNamespacedSecret({
    namespace: lab.namespace,
    body: { metadata: { name: 'netris' }, data: { url: b64(netrisUrl), username: b64('admin'), password: b64(password) } },
  });
  const config = providerConfig(lab.namespace, {
    nodeTypes: [{ name: 'cpu-node', resources: { cpu: '64' }, bareMetalHosts: { selector: { matchLabels: { 'node-role': 'cpu-worker' } } } }],
  });
  config.spec.metal3!.netris = { secretRef: { name: 'netris' } };
  return config;
}
