/**
 * The activation's network fabric (Netris), built from the Secret named by
 * `spec.metal3.netris.secretRef` (keys url, username, password). Serialises attach/detach per host
 * and turns the fabric's Unauthorized into an InvalidConfigurationError naming the Secret. Kept
 * across reconfigures while the Secret is unchanged, closed on change and on dispose.
 */
import { inject, injectable } from 'tsyringe';
import { InvalidConfigurationError, isInvalidConfiguration, type Logger } from '../../plugin/contract.js';
import type { ProviderSettings } from './config.js';
import { createNetrisFabric, hostPortsFromBareMetalHost, isFabricError, type NetworkFabric, type TenantNetwork } from './fabric/fabric.js';
import { KeyedLock } from './keyedLock.js';
import { KubeClient } from './kube.js';
import { LOGGER } from './tokens.js';
import type { BareMetalHost } from './types.js';

const SECRET_REF_FIELD = 'spec.metal3.netris.secretRef';
const SECRET_KEYS = ['url', 'username', 'password'] as const;

interface ActiveFabric {
  fabric: NetworkFabric & { close(): void };
  /** `Secret <namespace>/<name>`, for errors. */
  secret: string;
  /** namespace/name@resourceVersion: an unchanged Secret keeps the fabric (and its session). */
  version: string;
}

@injectable()
export class HostNetwork {
  private active?: ActiveFabric;
  private readonly hostLocks = new KeyedLock();
  private readonly log: Logger;

  constructor(
    private readonly kube: KubeClient,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.log = logger.child({ component: 'host-network' });
  }

  /** Builds (or keeps, or drops) the fabric for `settings`; throws InvalidConfigurationError and then changes nothing. */
  async configure(settings: ProviderSettings): Promise<void> {
    const ref = settings.metal3.netris?.secretRef;
    if (!ref) return this.close();
    const namespace = ref.namespace || settings.hostNamespace;
    const secretName = `Secret ${namespace}/${ref.name}`;
    const secret = await this.kube.getSecret(namespace, ref.name);
    if (!secret) throw new InvalidConfigurationError(`NodeProvider ${settings.name}`, SECRET_REF_FIELD, `${secretName} does not exist`);
    const version = `${namespace}/${ref.name}@${secret.metadata?.resourceVersion ?? ''}`;
    if (this.active?.version === version) return;
    const values: Partial<Record<(typeof SECRET_KEYS)[number], string>> = {};
    for (const key of SECRET_KEYS) {
      const encoded = secret.data?.[key];
      const value = encoded === undefined ? secret.stringData?.[key] : Buffer.from(encoded, 'base64').toString('utf8').trim();
      if (!value) throw new InvalidConfigurationError(secretName, `data.${key}`, `is missing (named by NodeProvider ${settings.name} ${SECRET_REF_FIELD})`);
      values[key] = value;
    }
    let fabric: ActiveFabric['fabric'];
    try {
      fabric = createNetrisFabric({ url: values.url!, username: values.username!, password: values.password!, logger: this.logger });
    } catch (err) {
      if (isInvalidConfiguration(err)) throw new InvalidConfigurationError(secretName, `data.${err.field}`, (err as Error).message.replace(/^.*?: .*?: /, ''));
      throw err;
    }
    this.close();
    this.active = { fabric, secret: secretName, version };
    this.log.info({ secret: secretName }, 'Netris fabric configured');
  }

  /** Whether a fabric is configured (spec.metal3.netris set and its Secret readable). */
  get configured(): boolean {
    return this.active !== undefined;
  }

  /** The tenant network of `serverCluster`; InvalidConfigurationError when netris is not configured. */
  resolveTenantNetwork(serverCluster: string, tenant: string, settings: ProviderSettings, requestedBy: string): Promise<TenantNetwork> {
    const active = this.require(settings, requestedBy);
    return this.translate(active, () => active.fabric.resolveTenantNetwork(serverCluster, tenant));
  }

  /** Moves the host's switch ports into `network`; serialised with every other move of this host. */
  attach(host: BareMetalHost, network: TenantNetwork, settings: ProviderSettings, signal?: AbortSignal): Promise<void> {
    const active = this.require(settings, `BareMetalHost ${host.metadata.name}`);
    return this.hostLocks.run(host.metadata.name, () =>
      this.translate(active, () => active.fabric.attach(hostPortsFromBareMetalHost(host), network, signal)));
  }

  /** Moves the host's switch ports back to the parking lot and reports where they are now. */
  detach(host: BareMetalHost, settings: ProviderSettings): Promise<string> {
    const active = this.require(settings, `BareMetalHost ${host.metadata.name}`);
    const ports = hostPortsFromBareMetalHost(host);
    return this.hostLocks.run(host.metadata.name, () =>
      this.translate(active, async () => {
        await active.fabric.detach(ports);
        return active.fabric.whereIs(ports);
      }));
  }

  close(): void {
    this.active?.fabric.close();
    this.active = undefined;
  }

  /** tsyringe calls this from container.dispose(). */
  dispose(): void {
    this.close();
  }

  private require(settings: ProviderSettings, requestedBy: string): ActiveFabric {
    if (this.active) return this.active;
    throw new InvalidConfigurationError(`NodeProvider ${settings.name}`, SECRET_REF_FIELD,
      `is not set, but ${requestedBy} needs the Netris fabric (property netris.vcluster.com/server-cluster)`);
  }

  private async translate<T>(active: ActiveFabric, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isFabricError(err) && err.reason === 'Unauthorized') {
        throw new InvalidConfigurationError(active.secret, 'data.username, data.password', 'Netris rejected the login', { cause: err });
      }
      throw err;
    }
  }
}
