/**
 * The BASELINE strategy, as CAPM3 has chosen hosts since it disabled its BareMetalHost cache
 * (commit ade8d6e6, after the double-claim race #1004): a live LIST of the hosts matching the node
 * type's selector (server-side label selector) for every claim, then the same pure selection
 * (eligibility.ts whyIneligible + chooseHost.ts rendezvous) and the plugin's claim write: IP
 * reservation, ONE data Secret holding `userData` and `networkData` (what the plugin converges on),
 * ONE guarded PUT of the host (claimMutation.ts). A 409 re-LISTs and rewrites the Secret's network
 * data for the new host. Only the way hosts are read differs, so the ratios isolate that choice.
 * The Secret is written here with the plain client, so the baseline does not follow the plugin's
 * internal classes while they change. OSImage and SSHKey come from the plugin's watched catalogue as
 * in the plugin (catalogue.ts), so they add no request to either side.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { InsufficientCapacityError, TransientError, type NodeClaimView } from '../../plugin/contract.js';
import type { LabelSelector } from '../../providers/metal3/spec.js';
import { validateProviderConfig, type ProviderSettings } from '../../providers/metal3/config.js';
import { chooseHost } from '../../providers/metal3/hosts/chooseHost.js';
import { whyIneligible } from '../../providers/metal3/hosts/eligibility.js';
import { isConflict, KubeClient } from '../../providers/metal3/kube.js';
import { claimedHost } from '../../providers/metal3/launch/claimMutation.js';
import { IpReservations } from '../../providers/metal3/launch/ipReservations.js';
import { Catalogue } from '../../providers/metal3/catalogue.js';
import { ClaimInputsResolver } from '../../providers/metal3/launch/resolveInputs.js';
import { PROPERTY } from '../../providers/metal3/properties.js';
import { TemplateRenderer } from '../../providers/metal3/render/index.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { pluginWatches, type PluginWatches } from '../../platform/host/pluginWatches.js';
import { JOIN, providerConfig } from './scenario.js';
import { CountingLogger, type ClaimStrategy } from './strategy.js';

const MAX_ATTEMPTS = 5;

export class BaselineStrategy implements ClaimStrategy {
  readonly name = 'baseline';
  private readonly settings: ProviderSettings = validateProviderConfig(providerConfig());
  private readonly kube: KubeClient;
  private readonly custom: CustomObjectsApi;
  private readonly renderer = new TemplateRenderer();
  private readonly inputs: ClaimInputsResolver;
  private readonly watches: PluginWatches;
  private readonly catalogue: Catalogue;
  private readonly ipam: IpReservations;
  private readonly core: CoreV1Api;
  private readonly selections: number[] = [];
  private lostRaces = 0;

  constructor(kc: KubeConfig) {
    this.kube = new KubeClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    const logger = new CountingLogger();
    this.watches = pluginWatches({
      kubeConfig: kc, logger, events: { record: () => undefined }, provider: { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', name: 'baseline' },
    });
    this.catalogue = new Catalogue(this.kube, this.watches);
    this.inputs = new ClaimInputsResolver(this.kube, this.catalogue, this.renderer);
    this.ipam = new IpReservations(this.kube, new CountingLogger());
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async warmUp(): Promise<void> {
    this.catalogue.start();
  }

  async createNode(claim: NodeClaimView): Promise<void> {
    const namespace = this.settings.hostNamespace;
    const inputs = await this.inputs.resolve(claim, JOIN, this.settings);
    const ip = inputs.ipPool ? await this.ipam.allocate(inputs.ipPool, claim, namespace) : undefined;
    const lost = new Set<string>();
    let secret: V1Secret | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const hosts = await this.listHosts(namespace, inputs.nodeType.bareMetalHosts?.selector);
      const started = performance.now();
      const eligible = hosts.filter((h) => !lost.has(h.metadata.name) && !whyIneligible(h, {
        nodeType: inputs.nodeType, claimTenant: inputs.tenant, allowUncleanedReuse: this.settings.metal3.allowUncleanedReuse,
      }));
      const host = chooseHost(eligible, claim.uid, lost);
      this.selections.push(performance.now() - started);
      if (!host) throw new InsufficientCapacityError(`baseline: no eligible host for node type ${inputs.nodeType.name}`);
      const nics = (host.status?.hardware?.nics ?? []).flatMap((n) => (n.name && n.mac ? [{ name: n.name, mac: n.mac }] : []));
      const networkData = this.renderer.renderNetworkData({
        hostname: inputs.hostname,
        bootMac: host.spec.bootMACAddress,
        nics,
        ip: ip && { address: ip.address, prefixLength: ip.pool.prefixLength, gateway: ip.pool.gateway, dns: ip.pool.dns },
        custom: inputs.properties[PROPERTY.networkData] || undefined,
        customOrigin: inputs.origin[PROPERTY.networkData],
      });
      secret = await this.writeData(claim, namespace, secret, inputs.userData, networkData);
      const ref = { name: secret.metadata!.name!, namespace };
      try {
        await this.kube.replaceHost(claimedHost(host, { claim, tenant: inputs.tenant, image: inputs.image, userData: ref, networkData: ref, ip }));
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.lostRaces++;
        lost.add(host.metadata.name);
      }
    }
    throw new TransientError(`baseline: claim ${claim.name} lost ${MAX_ATTEMPTS} races in a row`);
  }

  conflicts(): number {
    return this.lostRaces;
  }

  selectionMs(): number[] {
    return this.selections;
  }

  async dispose(): Promise<void> {
    await this.watches.stop();
    this.kube.dispose(); // KubeClient holds a keep-alive agent
  }

  /** Creates the claim's data Secret, or (after a lost race) replaces its content for the new host. */
  private async writeData(claim: NodeClaimView, namespace: string, current: V1Secret | undefined, userData: string, networkData: string): Promise<V1Secret> {
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const body: V1Secret = {
      metadata: { name: `${claim.name}-${claim.uid.slice(0, 8)}-data`, namespace, labels: { 'metal3.vcluster.com/node-claim': claim.uid }, resourceVersion: current?.metadata?.resourceVersion },
      type: 'Opaque',
      data: { userData: b64(userData), networkData: b64(networkData) },
    };
    if (!current) return this.core.createNamespacedSecret({ namespace, body });
    return this.core.replaceNamespacedSecret({ namespace, name: body.metadata!.name!, body });
  }

  private async listHosts(namespace: string, selector: LabelSelector | undefined): Promise<BareMetalHost[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace, labelSelector: selectorString(selector),
    })) as { items: BareMetalHost[] };
    return list.items;
  }
}

/** A LabelSelector as the `labelSelector` query string (what controller-runtime's MatchingLabelsSelector sends). */
export function selectorString(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}
