/**
 * Parses a YAML template's output once per *structure* instead of once per render.
 *
 * A render records every value the `yaml`/`json` helpers print and prints a placeholder instead
 * (a per-process random word, as a JSON string); that output, the skeleton, is the cache key. The
 * skeleton is parsed once (YAML 1.1, like the full parse) and the values are put back where a
 * placeholder is a whole scalar or a whole key. That gives the tree the full parse of the real
 * output gives, because every value is JSON text that a YAML 1.1 parser reads back unchanged
 * (`reparsesAsIs`), standing where its placeholder, a JSON string, stood.
 *
 * Anything else takes the full parse (always correct, just slower): a skeleton that does not
 * parse (the full parse reports the real error), a placeholder inside a larger string, in a
 * comment or repeated by an alias, a value outside `reparsesAsIs`, a key value that is not a
 * short string or collides with another key.
 */
import { randomBytes } from 'node:crypto';
import { parseYamlMap, type CloudConfig } from './cloudConfig.js';

const CACHE_LIMIT = 256;
/** YAML limits implicit keys to 1024 characters; stay well below it. */
const MAX_KEY_JSON_LENGTH = 1000;
/** Keys the YAML 1.1 merge or JS objects treat specially. */
const SPECIAL_KEYS = new Set(['<<', '__proto__']);
/**
 * Characters a JSON string may carry raw that YAML 1.1 reads differently or refuses: C1 controls
 * and DEL, the line breaks U+0085/U+2028/U+2029, U+FEFF, U+FFFE/U+FFFF and lone surrogates
 * (`u` flag: a surrogate pair is one code point and passes).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const NOT_AS_IS = /[^\x00-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** Records the values one render prints; `placeholder` is what the helper prints instead. */
export class ValueRecorder {
  readonly values: unknown[] = [];
  constructor(private readonly prefix: string) {}

  placeholder(value: unknown): string {
    this.values.push(value);
    return JSON.stringify(`${this.prefix}${this.values.length - 1}`);
  }
}

/** Builds a fresh copy of a skeleton node with the values in, or NO_FIT when a key value does not fit. */
type Builder = (values: readonly unknown[]) => unknown;
const NO_FIT = Symbol('no fit');
interface Skeleton { build?: Builder; slots: number }

export class SkeletonCache {
  /** Letters and digits only: a plain YAML word and a JSON string without escapes. */
  private readonly prefix = `tmplvalue${randomBytes(12).toString('hex')}x`;
  private readonly placeholderPattern = new RegExp(`^${this.prefix}(\\d+)$`);
  private readonly cache = new Map<string, Skeleton>();

  recorder(): ValueRecorder {
    return new ValueRecorder(this.prefix);
  }

  /** The parsed output of a recorded render, or undefined when the full parse must decide. */
  tree(skeletonText: string, values: readonly unknown[]): CloudConfig | undefined {
    const skeleton = this.skeleton(skeletonText, values.length);
    if (!skeleton.build || skeleton.slots !== values.length || !values.every(reparsesAsIs)) return undefined;
    const tree = skeleton.build(values);
    return tree === NO_FIT ? undefined : tree as CloudConfig;
  }

  private skeleton(text: string, slots: number): Skeleton {
    const hit = this.cache.get(text);
    if (hit) return hit;
    const { value } = parseYamlMap(text);
    const skeleton: Skeleton = { build: value && this.wellFormed(value, slots) ? this.builder(value) : undefined, slots };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(text, skeleton);
    return skeleton;
  }

  /** Each placeholder exactly once, as a whole scalar or key; no shared nodes; plain data only. */
  private wellFormed(tree: CloudConfig, slots: number): boolean {
    const seen = new Array<number>(slots).fill(0);
    const visited = new Set<object>();
    const visit = (node: unknown): boolean => {
      if (typeof node === 'string') return this.count(node, seen);
      if (node === null || typeof node !== 'object') return true;
      if (visited.has(node)) return false;
      visited.add(node);
      if (Array.isArray(node)) return node.every(visit);
      if (Object.getPrototypeOf(node) !== Object.prototype) return false;
      return Object.entries(node).every(([key, value]) => !SPECIAL_KEYS.has(key) && this.count(key, seen) && visit(value));
    };
    return visit(tree) && seen.every((n) => n === 1);
  }

  private count(text: string, seen: number[]): boolean {
    if (!text.includes(this.prefix)) return true;
    const slot = this.slot(text);
    if (slot === undefined || slot >= seen.length) return false;
    seen[slot]++;
    return true;
  }

  private slot(text: string): number | undefined {
    const match = this.placeholderPattern.exec(text);
    return match ? Number(match[1]) : undefined;
  }

  /** Compiles a well-formed skeleton node into its Builder (the walk is done once, here). */
  private builder(node: unknown): Builder {
    if (typeof node === 'string') {
      const slot = this.slot(node);
      return slot === undefined ? () => node : (values) => copy(values[slot]);
    }
    if (node === null || typeof node !== 'object') return () => node;
    if (Array.isArray(node)) {
      const items = node.map((item) => this.builder(item));
      return (values) => {
        const out = new Array<unknown>(items.length);
        for (let i = 0; i < items.length; i++) {
          const item = items[i](values);
          if (item === NO_FIT) return NO_FIT;
          out[i] = item;
        }
        return out;
      };
    }
    const pairs = Object.entries(node).map(([key, value]) => ({ key, slot: this.slot(key), build: this.builder(value) }));
    const keyedByValue = pairs.some((p) => p.slot !== undefined);
    return (values) => {
      const out: Record<string, unknown> = {};
      for (const { key, slot, build } of pairs) {
        const realKey = slot === undefined ? key : values[slot];
        if (keyedByValue && !fitsAsKey(realKey, out)) return NO_FIT;
        const value = build(values);
        if (value === NO_FIT) return NO_FIT;
        out[realKey as string] = value;
      }
      return out;
    };
  }
}

/** A value printed as a map key: a short string, not special, not already a key of the map. */
function fitsAsKey(key: unknown, map: Record<string, unknown>): boolean {
  return typeof key === 'string' && JSON.stringify(key).length <= MAX_KEY_JSON_LENGTH && !SPECIAL_KEYS.has(key) && !Object.hasOwn(map, key);
}

/**
 * True when YAML 1.1 reads `JSON.stringify(value)` back as an equal value: strings without the
 * characters of NOT_AS_IS, safe integers (not -0), booleans, null, and arrays and plain objects
 * of those (short keys, none special).
 */
export function reparsesAsIs(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'string') return !NOT_AS_IS.test(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) && !Object.is(value, -0);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !reparsesAsIs(value[i])) return false;
    return true;
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, item]) => reparsesAsIs(key) && JSON.stringify(key).length <= MAX_KEY_JSON_LENGTH && !SPECIAL_KEYS.has(key) && item !== undefined && reparsesAsIs(item));
}

/** Values enter the tree as copies, so two slots never share an array (stringify would alias it). */
function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copy);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}
