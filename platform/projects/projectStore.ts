/** Reads the Project a namespace belongs to; no Project (or a namespace outside `p-*`) means no restriction. */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../nodeClaims/types.js';
import { parseProject, projectOfNamespace, PROJECTS, type ProjectObject, type ProjectRules } from './project.js';

export class ProjectStore {
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async forNamespace(namespace: string): Promise<ProjectRules | undefined> {
    const name = projectOfNamespace(namespace);
    if (!name) return undefined;
    try {
      return parseProject((await this.custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: PROJECTS, name })) as ProjectObject);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }
}
