/** Which resources are served, looked up by group/version/plural and by group/kind. CRDs come and go at runtime. */
import { defsFromCrd } from './crd.js';
import { builtinResources } from './builtins.js';
import type { KubeObject, ResourceDef } from './types.js';

export class ResourceRegistry {
  private byPath = new Map<string, ResourceDef>();
  private fromCrd = new Map<string, string[]>();

  constructor() {
    for (const def of builtinResources()) this.add(def);
  }

  private add(def: ResourceDef): void {
    for (const v of def.versions) this.byPath.set(`${def.group}/${v}/${def.plural}`, { ...def, version: v });
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The resource for an apiVersion + kind (used by the GC and by namespace cleanup). */
  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    for (const def of this.byPath.values()) {
      const av = def.group ? `${def.group}/${def.version}` : def.version;
      if (av === apiVersion && def.kind === kind) return def;
    }
    return undefined;
  }

  byResourceKey(key: string): ResourceDef | undefined {
    for (const def of this.byPath.values()) if (`${def.group}/${def.plural}` === key) return def;
    return undefined;
  }

  all(): ResourceDef[] {
    return [...this.byPath.values()];
  }

  /** group -> versions, for discovery. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const def of this.byPath.values()) {
      const vs = out.get(def.group) ?? [];
      if (!vs.includes(def.version)) vs.push(def.version);
      out.set(def.group, vs);
    }
    return out;
  }

  /** Serves (or re-serves, on update) the resource a CRD object describes. */
  registerCrd(crd: KubeObject): void {
    this.unregisterCrd(crd.metadata.name!);
    const defs = defsFromCrd(crd);
    for (const d of defs) this.byPath.set(`${d.group}/${d.version}/${d.plural}`, d);
    this.fromCrd.set(crd.metadata.name!, defs.map((d) => `${d.group}/${d.version}/${d.plural}`));
  }

  unregisterCrd(name: string): void {
    for (const k of this.fromCrd.get(name) ?? []) this.byPath.delete(k);
    this.fromCrd.delete(name);
  }
}
