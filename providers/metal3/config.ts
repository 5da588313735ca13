/**
 * Parses the NodeProvider object's `spec.metal3` (data in the contract) into this provider's types,
 * validating as it goes: errors name `NodeProvider <name>` and the exact field. Pure; the provider
 * keeps the previous good settings when this throws.
 */
import { InvalidConfigurationError, type ProviderConfig } from '../../plugin/contract.js';
import { requireQuantity } from './quantity.js';
import type { LabelSelector, Metal3NodeTypeSpec, Metal3ProviderSpec } from './spec.js';

/** A validated configuration: the namespace where hosts live and the node types by name. */
export interface ProviderSettings {
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly metal3: Metal3ProviderSpec;
  readonly hostNamespace: string;
  readonly nodeTypes: ReadonlyMap<string, Metal3NodeTypeSpec>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const LABEL_VALUE = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function validateProviderConfig(config: ProviderConfig): ProviderSettings {
  const object = `NodeProvider ${config?.name ?? '<unnamed>'}`;
  const fail = (field: string, problem: string) => new InvalidConfigurationError(object, field, problem);
  const spec = config?.spec;
  if (!isRecord(spec)) throw fail('spec', 'is required');
  checkStringMap(spec.properties, 'spec.properties', fail);
  const metal3 = spec.metal3;
  if (!isRecord(metal3)) throw fail('spec.metal3', 'is required for the metal3 provider');
  const namespace = validateClusterRef(metal3.clusterRef, 'spec.metal3.clusterRef', fail);
  if (!Array.isArray(metal3.nodeTypes)) throw fail('spec.metal3.nodeTypes', 'must be a list');
  const nodeTypes = new Map<string, Metal3NodeTypeSpec>();
  metal3.nodeTypes.forEach((nodeType, index) => {
    const at = `spec.metal3.nodeTypes[${index}]`;
    validateNodeType(nodeType, at, object, fail);
    if (nodeTypes.has(nodeType.name)) throw fail(`${at}.name`, `duplicate node type name "${nodeType.name}"`);
    nodeTypes.set(nodeType.name, nodeType);
  });
  validateNetris(metal3.netris, fail);
  // Every field read below was checked above; what the schema allows beyond them is carried as is.
  return { name: config.name, properties: spec.properties ?? {}, metal3: metal3 as Metal3ProviderSpec, hostNamespace: namespace, nodeTypes };
}

type Fail = (field: string, problem: string) => InvalidConfigurationError;

function validateNodeType(nodeType: Metal3NodeTypeSpec, at: string, object: string, fail: Fail): void {
  if (!isRecord(nodeType)) throw fail(at, 'must be an object');
  if (typeof nodeType.name !== 'string' || nodeType.name === '') throw fail(`${at}.name`, 'is required');
  if (!DNS_LABEL.test(nodeType.name) || nodeType.name.length > 63) {
    throw fail(`${at}.name`, `"${nodeType.name}" is not a valid DNS label (lower-case alphanumerics and '-', at most 63)`);
  }
  checkStringMap(nodeType.properties, `${at}.properties`, fail);
  checkStringMap(nodeType.resources, `${at}.resources`, fail);
  for (const [resource, quantity] of Object.entries(nodeType.resources ?? {})) {
    if (requireQuantity(quantity, { object, field: `${at}.resources[${resource}]` }) < 0) throw fail(`${at}.resources[${resource}]`, 'must not be negative');
  }
  if (nodeType.cost !== undefined && (typeof nodeType.cost !== 'number' || !Number.isFinite(nodeType.cost) || nodeType.cost < 0)) {
    throw fail(`${at}.cost`, `must be a number >= 0, got ${JSON.stringify(nodeType.cost)}`);
  }
  validateSelector(nodeType.bareMetalHosts?.selector, `${at}.bareMetalHosts.selector`, fail);
  if (nodeType.clusterRef !== undefined) validateClusterRef(nodeType.clusterRef, `${at}.clusterRef`, fail);
  if (nodeType.zone !== undefined && (typeof nodeType.zone !== 'string' || !LABEL_VALUE.test(nodeType.zone))) {
    throw fail(`${at}.zone`, `${JSON.stringify(nodeType.zone)} is not a valid label value (it becomes topology.kubernetes.io/zone)`);
  }
}

/** `{cluster?, namespace}`: returns the namespace. `cluster` names a connected Cluster object. */
function validateClusterRef(ref: unknown, at: string, fail: Fail): string {
  if (!isRecord(ref)) throw fail(at, 'is required (cluster and namespace of the BareMetalHosts)');
  const { cluster, namespace } = ref;
  if (typeof namespace !== 'string' || namespace === '') throw fail(`${at}.namespace`, 'is required');
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw fail(`${at}.namespace`, `"${namespace}" is not a valid namespace name`);
  if (cluster !== undefined && (typeof cluster !== 'string' || !DNS_SUBDOMAIN.test(cluster))) {
    throw fail(`${at}.cluster`, `${JSON.stringify(cluster)} is not a valid Cluster name`);
  }
  return namespace;
}

function validateNetris(netris: unknown, fail: Fail): void {
  if (netris === undefined) return;
  if (!isRecord(netris)) throw fail('spec.metal3.netris', 'must be an object');
  const ref = netris.secretRef;
  if (!isRecord(ref)) throw fail('spec.metal3.netris.secretRef', 'is required (the Secret with keys url, username, password)');
  if (typeof ref.name !== 'string' || !DNS_SUBDOMAIN.test(ref.name)) throw fail('spec.metal3.netris.secretRef.name', 'must be a Secret name');
  if (ref.namespace !== undefined && (typeof ref.namespace !== 'string' || !DNS_LABEL.test(ref.namespace))) {
    throw fail('spec.metal3.netris.secretRef.namespace', 'must be a namespace name');
  }
}

function validateSelector(selector: LabelSelector | undefined, at: string, fail: Fail): void {
  if (selector === undefined) return;
  if (!isRecord(selector)) throw fail(at, 'must be an object');
  checkStringMap(selector.matchLabels, `${at}.matchLabels`, fail);
  if (selector.matchExpressions === undefined) return;
  if (!Array.isArray(selector.matchExpressions)) throw fail(`${at}.matchExpressions`, 'must be a list');
  selector.matchExpressions.forEach((expr, index) => {
    const field = `${at}.matchExpressions[${index}]`;
    if (!isRecord(expr)) throw fail(field, 'must be an object');
    if (typeof expr.key !== 'string' || expr.key === '') throw fail(`${field}.key`, 'is required');
    if (!OPERATORS.includes(expr.operator)) {
      throw fail(`${field}.operator`, `"${String(expr.operator)}" is not one of ${OPERATORS.join(', ')}`);
    }
    const values = expr.values;
    if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
      throw fail(`${field}.values`, 'must be a list of strings');
    }
    const needsValues = expr.operator === 'In' || expr.operator === 'NotIn';
    if (needsValues && (values ?? []).length === 0) throw fail(`${field}.values`, `must be non-empty for operator ${expr.operator}`);
    if (!needsValues && (values ?? []).length > 0) throw fail(`${field}.values`, `must be empty for operator ${expr.operator}`);
  });
}

function checkStringMap(value: unknown, field: string, fail: Fail): void {
  if (value === undefined) return;
  if (!isRecord(value)) throw fail(field, 'must be a map of strings');
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw fail(`${field}[${key}]`, `must be a string, got ${typeof entry}`);
  }
}

function isRecord(value: unknown): value is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
