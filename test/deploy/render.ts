/** `kubectl kustomize deploy`, rendered once per test file, as parsed objects. */
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { kubectl } from '../support/kubectl.js';

export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const HOST_SA = { namespace: 'metal3-provider-system', name: 'metal3-provider' };
export const HOST_USER = `system:serviceaccount:${HOST_SA.namespace}:${HOST_SA.name}`;

export interface Rendered {
  yaml: string;
  objects: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown }[];
}

export async function renderDeploy(): Promise<Rendered> {
  // kustomize needs no cluster: /dev/null as kubeconfig keeps it from reading one.
  const out = await kubectl('/dev/null', ['kustomize', DEPLOY_DIR]);
  if (out.code !== 0) throw new Error(`kubectl kustomize deploy failed: ${out.stderr}`);
  return { yaml: out.stdout, objects: parseAllDocuments(out.stdout).map((d) => d.toJS()).filter(Boolean) };
}
