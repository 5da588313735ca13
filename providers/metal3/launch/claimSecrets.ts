/**
 * The generated user data and network data of a claim, each in its own Secret named after the claim
 * (`<claim>-<short uid>-user-data` / `-network-data`) in the hosts namespace, labelled for clean-up.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { injectable } from 'tsyringe';
import type { NodeClaimView } from '../../../plugin/contract.js';
import { isAlreadyExists, KubeClient } from '../kube.js';
import { claimLabels, claimObjectName, claimSelector } from '../names.js';
import type { SecretReference } from '../types.js';

export type ClaimDataKind = 'user-data' | 'network-data';
const DATA_KEY: Record<ClaimDataKind, string> = { 'user-data': 'userData', 'network-data': 'networkData' };

@injectable()
export class ClaimSecrets {
  constructor(private readonly kube: KubeClient) {}

  /** Creates or updates the Secret; writes nothing when it already holds `content`. */
  async write(claim: Pick<NodeClaimView, 'uid' | 'name'>, namespace: string, kind: ClaimDataKind, content: string): Promise<SecretReference> {
    const name = claimObjectName(claim, kind);
    const data = { [DATA_KEY[kind]]: Buffer.from(content, 'utf8').toString('base64') };
    const body: V1Secret = { metadata: { name, namespace, labels: claimLabels(claim) }, type: 'Opaque', data };
    const existing = await this.kube.getSecret(namespace, name);
    if (!existing) {
      try {
        await this.kube.createSecret(namespace, body);
        return { name, namespace };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const current = existing ?? (await this.kube.getSecret(namespace, name));
    if (current && sameData(current.data, data)) return { name, namespace };
    await this.kube.replaceSecret(namespace, { ...body, metadata: { ...body.metadata, resourceVersion: current?.metadata?.resourceVersion } });
    return { name, namespace };
  }

  /** Whether both generated Secrets of the claim exist. */
  async exist(claim: Pick<NodeClaimView, 'uid' | 'name'>, namespace: string): Promise<boolean> {
    const found = await Promise.all(
      (['user-data', 'network-data'] as const).map((kind) => this.kube.getSecret(namespace, claimObjectName(claim, kind))),
    );
    return found.every(Boolean);
  }

  /** Deletes every Secret generated for the claim; returns how many. */
  async deleteForClaim(claimUid: string, namespace: string): Promise<number> {
    const held = await this.kube.listSecrets(namespace, claimSelector(claimUid));
    await Promise.all(held.map((secret) => this.kube.deleteSecret(namespace, secret.metadata?.name ?? '')));
    return held.length;
  }
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b)]);
  return [...keys].every((key) => a?.[key] === b[key]);
}
