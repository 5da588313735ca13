/** CustomResourceDefinition objects: checking them, turning them into served resources, loading YAML files. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Cause } from './status.js';
import type { JsonObject, KubeObject, PrinterColumn, ResourceDef } from './types.js';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

/** Field-named problems with a CRD, so a bad one gets 422 rather than a half-served resource. */
export function validateCrd(crd: KubeObject): Cause[] {
  const spec = crd.spec as Partial<CrdSpec> | undefined;
  const causes: Cause[] = [];
  const req = (field: string) => causes.push({ field, reason: 'FieldValueRequired', message: 'Required value' });
  if (!spec) return [{ field: 'spec', reason: 'FieldValueRequired', message: 'Required value' }];
  if (!spec.group) req('spec.group');
  if (!spec.names?.plural) req('spec.names.plural');
  if (!spec.names?.kind) req('spec.names.kind');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({ field: 'spec.scope', reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  if (!spec.versions?.length) req('spec.versions');
  if (spec.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    causes.push({ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group` });
  }
  return causes;
}

export function defsFromCrd(crd: KubeObject): ResourceDef[] {
  const spec = crd.spec as CrdSpec;
  const served = spec.versions.filter((v) => v.served !== false);
  const names = spec.names;
  return served.map((v) => ({
    group: spec.group,
    version: v.name,
    versions: served.map((s) => s.name),
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    hasStatus: v.subresources?.status !== undefined,
    isCustom: true,
    printerColumns: v.additionalPrinterColumns ?? [],
    schema: v.schema?.openAPIV3Schema,
    allowCreateOnUpdate: false,
    requireResourceVersionOnUpdate: true,
  }));
}

/**
 * Every CRD document in `*.yaml`/`*.yml` files of the given directories (missing directories are skipped). A file
 * whose name also exists in `preferDir` is read from there instead: the lab serves upstream's CRD where it has it.
 * `loaded` receives the path of every file read.
 */
export async function loadCrdFiles(dirs: string[], opts: { preferDir?: string; loaded?: string[] } = {}): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const preferred = opts.preferDir ? new Set(await readdir(opts.preferDir).catch(() => [] as string[])) : new Set<string>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const f of files) {
      const file = preferred.has(f) ? path.join(opts.preferDir!, f) : path.join(dir, f);
      opts.loaded?.push(file);
      for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
        if (doc.errors.length) throw new Error(`${file}: invalid YAML: ${doc.errors[0].message}`);
        const obj = doc.toJS() as KubeObject | null;
        if (!obj) continue;
        if (obj.kind !== 'CustomResourceDefinition') continue;
        const causes = validateCrd(obj);
        if (causes.length) throw new Error(`${file}: CustomResourceDefinition ${JSON.stringify(obj.metadata?.name)} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`);
        out.push(obj);
      }
    }
  }
  return out;
}
