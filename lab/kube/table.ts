/** meta.k8s.io/v1 Table responses for `kubectl get`: NAME, printer columns, AGE. */
import type { KubeObject, PrinterColumn, ResourceDef } from './types.js';
import { partialMetadata } from './partialMetadata.js';

/** `.a.b`, `.a[0].b`, `.a['x.y']` style paths, the subset printer columns use. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const p = path.replace(/^\{?\.?/, '').replace(/\}$/, '');
  const tokens = p.match(/[^.[\]'"]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\]/g) ?? [];
  let cur: unknown = obj;
  for (const raw of tokens) {
    if (cur === undefined || cur === null) return undefined;
    const idx = /^\[(\d+)\]$/.exec(raw);
    const quoted = /^\[['"](.*)['"]\]$/.exec(raw);
    const key = idx ? Number(idx[1]) : quoted ? quoted[1] : raw;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export function humanAge(from: string | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function cell(col: PrinterColumn, obj: KubeObject): unknown {
  const v = evalJsonPath(obj, col.jsonPath);
  if (col.format === 'count') return v && typeof v === 'object' ? Object.keys(v).length : 0;
  if (col.format === 'role-ref') return v && typeof v === 'object' ? `${(v as { kind: string }).kind}/${(v as { name: string }).name}` : '';
  if (col.format === 'node-ready') {
    const ready = Array.isArray(v) ? (v as { type: string; status: string }[]).find((c) => c.type === 'Ready') : undefined;
    return ready?.status === 'True' ? 'Ready' : 'NotReady';
  }
  if (v === undefined || v === null) return col.type === 'integer' || col.type === 'number' ? null : '';
  if (col.type === 'date') return humanAge(String(v));
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

function columnsFor(def: ResourceDef): PrinterColumn[] {
  const cols = def.printerColumns.filter((c) => c.jsonPath !== '.metadata.name');
  // Like the real CRD table convertor: a column showing creationTimestamp stands in for AGE.
  const hasAge = cols.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  return hasAge ? cols : [...cols, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
}

export function toTable(def: ResourceDef, objects: KubeObject[], resourceVersion: string, includeObject: string | null, withColumns = true): object {
  const cols = columnsFor(def);
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format === 'count' || c.format === 'node-ready' || c.format === 'role-ref' ? '' : c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((o) => ({
    cells: [o.metadata.name, ...cols.map((c) => cell(c, o))],
    object: includeObject === 'None' ? undefined : includeObject === 'Object' ? o : partialMetadata(o),
  }));
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion }, columnDefinitions: withColumns ? columnDefinitions : [], rows };
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept.split(',')[0]);
}
