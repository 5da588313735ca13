/**
 * The claim's data Secret: ONE Secret per claim (`<claim>-<short uid>`) in the hosts namespace with
 * keys `userData` and `networkData` (BMH `spec.userData` and `spec.networkData` both reference it;
 * BMO reads each field's own key). Annotated with the one host the claim targets, it is also the
 * per-claim lock across replicas: created create-if-absent, moved only by resourceVersion-guarded
 * updates. Labelled with the claim uid, so clean-up by label also removes the legacy two-Secret
 * layout (`-user-data` / `-network-data`).
 */
import type { V1Secret } from '@kubernetes/client-node';
import { injectable } from 'tsyringe';
import type { NodeClaimView } from '../../../plugin/contract.js';
import { MAX_ATTEMPTS } from '../attempts.js';
import { isAlreadyExists, KubeClient, type WireMetadata } from '../kube.js';
import { ANNOTATION, claimLabels, claimObjectName, claimSelector } from '../names.js';
import type { BareMetalHost } from '../types.js';

type ClaimName = Pick<NodeClaimView, 'uid' | 'name'>;

/** The rendered data a claimed host boots with; secret (the user data holds the join token). */
export interface ClaimData {
  userData: string;
  networkData: string;
}

/** The claim's data Secret as last read or written. */
export interface ClaimRecord {
  ref: { name: string; namespace: string };
  /** The host this claim targets (annotation `metal3.vcluster.com/host`). */
  host: string | undefined;
  resourceVersion: string | undefined;
  data: Record<string, string>;
}

export type CreateOutcome = { created: true; record: ClaimRecord } | { created: false; record: ClaimRecord };

@injectable()
export class ClaimSecrets {
  constructor(private readonly kube: KubeClient) {}

  /** Creates the record naming `host`; when it already exists, returns it unchanged (`created: false`). */
  async create(claim: ClaimName, namespace: string, host: string, content: ClaimData): Promise<CreateOutcome> {
    const body = recordBody(claim, namespace, host, content);
    for (let attempt = 1; ; attempt++) {
      try {
        // The create answers metadata only; the record's data is what was just written.
        return { created: true, record: toRecord(await this.kube.createSecret(namespace, body), body.data, namespace) };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const existing = await this.read(claim, namespace);
      if (existing) return { created: false, record: existing };
      // Deleted between our create and read (a failed claim cleaning up): try again.
      if (attempt >= MAX_ATTEMPTS) throw new Error(`Secret ${namespace}/${body.metadata?.name} keeps disappearing while being created`);
    }
  }

  async read(claim: ClaimName, namespace: string): Promise<ClaimRecord | undefined> {
    const secret = await this.kube.getSecret(namespace, claimObjectName(claim));
    return secret && toRecord(secret.metadata ?? {}, secret.data, namespace);
  }

  /**
   * The host the record names, read as metadata only (the user data does not cross the wire); undefined
   * when the record is gone, `{ host: undefined }` when it names none.
   */
  async target(claim: ClaimName, namespace: string): Promise<{ host: string | undefined } | undefined> {
    const metadata = await this.kube.getSecretMetadata(namespace, claimObjectName(claim));
    return metadata && { host: metadata.annotations?.[ANNOTATION.targetHost] };
  }

  /**
   * Points the record at `host` with `content`, guarded by the record's resourceVersion: a concurrent
   * change throws KubeConflictError (a deleted record NotFound). Writes nothing when it already does.
   */
  async retarget(claim: ClaimName, record: ClaimRecord, host: string, content: ClaimData): Promise<ClaimRecord> {
    const body = recordBody(claim, record.ref.namespace, host, content);
    if (record.host === host && sameData(record.data, body.data ?? {})) return record;
    body.metadata = { ...body.metadata, resourceVersion: record.resourceVersion };
    const written = await this.kube.replaceSecret(record.ref.namespace, body);
    return toRecord(written.metadata ?? {}, written.data, record.ref.namespace);
  }

  /** Whether every Secret the host's `spec.userData` / `spec.networkData` references exists. */
  async referencedExist(host: BareMetalHost): Promise<boolean> {
    const refs = new Map<string, { namespace: string; name: string }>();
    for (const ref of [host.spec.userData, host.spec.networkData]) {
      if (!ref?.name) return false;
      const namespace = ref.namespace || host.metadata.namespace || '';
      refs.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
    }
    const found = await Promise.all([...refs.values()].map(({ namespace, name }) => this.kube.getSecret(namespace, name)));
    return found.every(Boolean);
  }

  /** Deletes every Secret generated for the claim (this layout and the legacy one); returns how many. */
  async deleteForClaim(claimUid: string, namespace: string): Promise<number> {
    const held = await this.kube.listSecrets(namespace, claimSelector(claimUid));
    await Promise.all(held.map((secret) => this.kube.deleteSecret(namespace, secret.metadata?.name ?? '')));
    return held.length;
  }

}

function recordBody(claim: ClaimName, namespace: string, host: string, content: ClaimData): V1Secret {
  return {
    metadata: { name: claimObjectName(claim), namespace, labels: claimLabels(claim), annotations: { [ANNOTATION.targetHost]: host } },
    type: 'Opaque',
    data: { userData: base64(content.userData), networkData: base64(content.networkData) },
  };
}

function toRecord(metadata: WireMetadata, data: Record<string, string> | undefined, namespace: string): ClaimRecord {
  return {
    ref: { name: metadata.name ?? '', namespace },
    host: metadata.annotations?.[ANNOTATION.targetHost],
    resourceVersion: metadata.resourceVersion,
    data: data ?? {},
  };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b)]);
  return [...keys].every((key) => a?.[key] === b[key]);
}
