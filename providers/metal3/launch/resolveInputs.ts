/**
 * Launch step 1: everything a claim needs that does not depend on the chosen host. Merges the
 * property layers, resolves the image, SSH keys (from the watched catalogue) and IP pool, and renders the user data. All input
 * errors surface here, before anything is written.
 */
import { inject, injectable } from 'tsyringe';
import { InvalidConfigurationError, type JoinSpec, type NodeClaimView } from '../../../plugin/contract.js';
import type { ProviderSettings } from '../config.js';
import type { Metal3NodeTypeSpec } from '../spec.js';
import { Catalogue } from '../catalogue.js';
import { claimDisplayName, claimTenant } from '../claimRef.js';
import { resolveImage, type ImageSpec } from '../image.js';
import { parseIpPool, type IpPool } from '../ipam/pool.js';
import { KubeClient } from '../kube.js';
import { environmentName, mergeProperties, PROPERTY, propertyField, propertyOrigin, type PropertyLayer } from '../properties.js';
import type { TemplateRenderer } from '../render/index.js';
import { RENDERER } from '../tokens.js';
import type { PropertiesObject } from '../types.js';

export interface ClaimInputs {
  nodeType: Metal3NodeTypeSpec;
  properties: Record<string, string>;
  origin: Record<string, string>;
  tenant: string;
  image: ImageSpec;
  ipPool?: IpPool;
  pinnedHostName?: string;
  /** Rendered cloud-config; a secret (contains the join token): only ever written into a Secret. */
  userData: string;
  hostname: string;
}

@injectable()
export class ClaimInputsResolver {
  constructor(
    private readonly kube: KubeClient,
    private readonly catalogue: Catalogue,
    @inject(RENDERER) private readonly renderer: TemplateRenderer,
  ) {}

  async resolve(claim: NodeClaimView, join: JoinSpec | undefined, settings: ProviderSettings): Promise<ClaimInputs> {
    const nodeType = settings.nodeTypes.get(claim.nodeType);
    if (!nodeType) {
      throw new InvalidConfigurationError(claimDisplayName(claim), 'spec.typeRef', `node type "${claim.nodeType}" is not configured in NodeProvider ${settings.name}`);
    }
    const { properties, origin } = await this.mergeLayers(claim, nodeType, settings);
    const image = await resolveImage(properties, origin, (name) => this.catalogue.osImage(name));
    const sshKeys = await this.resolveSshKeys(properties, origin);
    const ipPool = parseIpPool(properties, origin);
    const hostname = claim.name;
    const userData = this.renderer.renderUserData({
      hostname,
      claim: { name: claim.name, namespace: claim.namespace, uid: claim.uid, vCluster: claim.vClusterRef },
      join,
      sshKeys,
      userCloudConfig: properties[PROPERTY.userData],
      userCloudConfigOrigin: origin[PROPERTY.userData],
      taints: claim.taints,
      startupTaints: claim.startupTaints,
      kubeletArgs: claim.kubeletArgs,
    });
    return {
      nodeType,
      properties,
      origin,
      tenant: claimTenant(claim),
      image,
      ipPool,
      pinnedHostName: properties[PROPERTY.serverName] || undefined,
      userData,
      hostname,
    };
  }

  private async mergeLayers(claim: NodeClaimView, nodeType: Metal3NodeTypeSpec, settings: ProviderSettings) {
    const provider: PropertyLayer = { source: `NodeProvider ${settings.name} spec.properties`, properties: settings.properties };
    const type: PropertyLayer = { source: `NodeProvider ${settings.name} nodeType ${nodeType.name} properties`, properties: nodeType.properties };
    const claimLayer: PropertyLayer = { source: `${claimDisplayName(claim)} spec.properties`, properties: claim.properties };
    const withoutEnv = mergeProperties([provider, type, claimLayer]);
    const envName = environmentName(withoutEnv.properties, claim.environmentRef);
    if (!envName) return withoutEnv;
    const environment = await this.kube.getNamespacedPlatformObject<PropertiesObject>('nodeenvironments', claim.namespace, envName);
    if (!environment) {
      // Like every property error: the object is whoever named it, the field the property (or the claim's ref).
      const [object, field] = withoutEnv.properties[PROPERTY.networkEnvironment]
        ? [propertyOrigin(withoutEnv.origin, PROPERTY.networkEnvironment), propertyField(PROPERTY.networkEnvironment)]
        : [claimDisplayName(claim), 'spec.environmentRef'];
      throw new InvalidConfigurationError(object, field, `failed to get NodeEnvironment ${JSON.stringify(`${claim.namespace}/${envName}`)}: not found`);
    }
    const envLayer: PropertyLayer = { source: `NodeEnvironment ${claim.namespace}/${envName} spec.properties`, properties: environment.spec?.properties };
    return mergeProperties([provider, type, envLayer, claimLayer]);
  }

  private async resolveSshKeys(properties: Record<string, string>, origin: Record<string, string>): Promise<string[]> {
    const names = (properties[PROPERTY.sshKeys] ?? '').split(',').map((n) => n.trim()).filter(Boolean);
    const setBy = propertyOrigin(origin, PROPERTY.sshKeys);
    return Promise.all(
      names.map(async (name) => {
        const key = await this.catalogue.sshKey(name);
        if (!key) throw new InvalidConfigurationError(setBy, propertyField(PROPERTY.sshKeys), `failed to get SSHKey ${JSON.stringify(name)}: not found`);
        const publicKey = key.spec?.publicKey?.trim();
        if (!publicKey) throw new InvalidConfigurationError(`SSHKey ${name}`, 'spec.publicKey', 'is empty');
        return publicKey;
      }),
    );
  }
}
