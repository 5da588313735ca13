/**
 * The simulator's writes and reads against the Kubernetes API: BareMetalHost status (through the /status
 * subresource, guarded by resourceVersion), metadata merge patches, Secrets and HardwareData.
 */
import {
  CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig,
} from '@kubernetes/client-node';
import type { SecretReader } from './provisioningChecks.js';
import {
  BMH_PLURAL, HARDWARE_DATA_PLURAL, METAL3_GROUP, METAL3_VERSION,
  type BareMetalHost, type BareMetalHostStatus, type HardwareDetails,
} from './types.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function isConflict(e: unknown): boolean {
  return (e as { code?: number })?.code === 409;
}

export function isNotFound(e: unknown): boolean {
  return (e as { code?: number })?.code === 404;
}

export class HostApi {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig, private readonly namespace: string) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async list(): Promise<{ items: BareMetalHost[]; metadata?: { resourceVersion?: string } }> {
    return this.custom.listNamespacedCustomObject({
      group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: BMH_PLURAL,
    });
  }

  /** The host, or undefined when it is gone. */
  async get(name: string): Promise<BareMetalHost | undefined> {
    try {
      return await this.custom.getNamespacedCustomObject({
        group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: BMH_PLURAL, name,
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** PUT /status with the host's resourceVersion; a 409 means someone wrote in between. */
  async replaceStatus(host: BareMetalHost, status: BareMetalHostStatus): Promise<BareMetalHost> {
    return this.custom.replaceNamespacedCustomObjectStatus({
      group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: BMH_PLURAL,
      name: host.metadata.name, body: { ...host, status },
    });
  }

  /** Merge patch of metadata (finalizers, annotations) guarded by resourceVersion. */
  async patchMetadata(host: BareMetalHost, metadata: Record<string, unknown>): Promise<BareMetalHost> {
    return this.custom.patchNamespacedCustomObject({
      group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: BMH_PLURAL,
      name: host.metadata.name, body: { metadata: { ...metadata, resourceVersion: host.metadata.resourceVersion } },
    }, MERGE_PATCH);
  }

  /** Creates or replaces the host's HardwareData (same name and namespace, owned by the host). */
  async writeHardwareData(host: BareMetalHost, hardware: HardwareDetails): Promise<void> {
    const ref = { group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: HARDWARE_DATA_PLURAL };
    const body = {
      apiVersion: `${METAL3_GROUP}/${METAL3_VERSION}`,
      kind: 'HardwareData',
      metadata: {
        name: host.metadata.name,
        namespace: this.namespace,
        ownerReferences: host.metadata.uid
          ? [{ apiVersion: host.apiVersion, kind: 'BareMetalHost', name: host.metadata.name, uid: host.metadata.uid }]
          : undefined,
      },
      spec: { hardware },
    };
    try {
      await this.custom.createNamespacedCustomObject({ ...ref, body });
    } catch (e) {
      if (!isConflict(e)) throw e;
      const existing = await this.custom.getNamespacedCustomObject({ ...ref, name: host.metadata.name });
      await this.custom.replaceNamespacedCustomObject({
        ...ref, name: host.metadata.name,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } },
      });
    }
  }

  async deleteHardwareData(name: string): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({
        group: METAL3_GROUP, version: METAL3_VERSION, namespace: this.namespace, plural: HARDWARE_DATA_PLURAL, name,
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Decoded Secret data plus resourceVersion, or undefined when the Secret does not exist. */
  readonly readSecret: SecretReader = async (namespace, name) => {
      try {
        const secret = await this.core.readNamespacedSecret({ namespace, name });
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = v;
        return { data, resourceVersion: secret.metadata?.resourceVersion };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
}
