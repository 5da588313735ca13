/**
 * A fast path for `stringifyForCloudInit` (`yaml`'s stringify with a few strings double-quoted):
 * writes the same bytes for the shapes generated cloud-config has (block maps and sequences of
 * strings, integers, booleans and nulls; multi-line strings as `|` literal blocks), and returns
 * undefined for anything else, so the caller falls back to it. Each one-line scalar's text comes
 * from it (memoised per value), never from rules of our own; only the block layout and the
 * literal-block algorithm are written here, copied from `yaml`'s stringifyString, and a property
 * test checks the output is byte-identical over adversarial trees.
 */
import { Document, Scalar, visit } from 'yaml';

const OPTIONS = { version: '1.1', lineWidth: 0 } as const;
const MEMO_LIMIT = 4096;
const STEP = '  ';
/** Characters for which `yaml` switches a string to double quotes (then multi-line folding applies). */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const FORCES_DOUBLE_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** Lines that would start a new document; `yaml` quotes such keys at some depths only. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;
/** Words `yaml` never quotes for their characters: no indicator, space, TAB, colon, quote, `#`, `<` or `=`. */
const PLAIN_WORD = /^[A-Za-z0-9_/][A-Za-z0-9_./=+-]*$/;
/** The YAML 1.1 tags a plain scalar may resolve to other than a string (`yes`, `0644`, `~`, ...): `yaml` quotes those. */
const IMPLICIT_TAGS = (() => {
  const { schema } = new Document(null, OPTIONS);
  return [...schema.tags, ...(schema.compat ?? [])].flatMap((tag) => ('test' in tag && tag.test && tag.default && tag.tag !== 'tag:yaml.org,2002:str' ? [tag.test] : []));
})();

const scalarMemo = new Map<string, string | null>();
const keyMemo = new Map<string, string | null>();

class Unsure extends Error {}

/**
 * `yaml`'s stringify, except for one-line strings PyYAML (cloud-init) would read differently if
 * written plain: with a TAB (PyYAML refuses a tab in a plain scalar: the whole user data fails),
 * `<<` (its merge key) and `=` (its value key). Those are double-quoted.
 */
export function stringifyForCloudInit(value: unknown): string {
  const document = new Document(value, OPTIONS);
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || node.value.includes('\n')) return;
      if (node.value === '<<') {
        node.tag = 'tag:yaml.org,2002:str';
        node.type = Scalar.QUOTE_DOUBLE;
      } else if (node.value === '=' || node.value.includes('\t')) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return document.toString(OPTIONS);
}

/** The YAML 1.1 text of a map, exactly as `stringify` writes it, or undefined when unsure. */
export function emitYamlFast(doc: Record<string, unknown>): string | undefined {
  try {
    return blockMap(doc, '', new Set());
  } catch (err) {
    if (err instanceof Unsure) return undefined;
    throw err;
  }
}

function blockMap(map: Record<string, unknown>, indent: string, seen: Set<object>): string {
  const entries = plainEntries(map, seen);
  let out = '';
  for (const [key, value] of entries) out += `${indent}${keyText(key)}:${valueText(value, indent, seen)}`;
  return out;
}

/** ` scalar\n`, or a newline and the nested block collection one step deeper. */
function valueText(value: unknown, indent: string, seen: Set<object>): string {
  if (Array.isArray(value)) return `\n${blockSeq(value, `${indent}${STEP}`, seen)}`;
  if (typeof value === 'object' && value !== null) return `\n${blockMap(value as Record<string, unknown>, `${indent}${STEP}`, seen)}`;
  return ` ${scalarText(value, `${indent}${STEP}`)}\n`;
}

function blockSeq(seq: unknown[], indent: string, seen: Set<object>): string {
  enter(seq, seen);
  if (seq.length === 0) throw new Unsure();
  let out = '';
  for (const item of seq) {
    if (Array.isArray(item)) throw new Unsure();
    if (typeof item === 'object' && item !== null) {
      // `- first: pair` on the dash's line, the other pairs under it.
      out += `${indent}- ${blockMap(item as Record<string, unknown>, `${indent}${STEP}`, seen).slice(indent.length + STEP.length)}`;
    } else {
      out += `${indent}- ${scalarText(item, `${indent}${STEP}`)}\n`;
    }
  }
  return out;
}

function plainEntries(map: Record<string, unknown>, seen: Set<object>): [string, unknown][] {
  enter(map, seen);
  if (Object.getPrototypeOf(map) !== Object.prototype) throw new Unsure();
  const entries = Object.entries(map);
  if (entries.length === 0) throw new Unsure();
  return entries;
}

/** A repeated object would become an anchor and alias. */
function enter(node: object, seen: Set<object>): void {
  if (seen.has(node)) throw new Unsure();
  seen.add(node);
}

function scalarText(value: unknown, indent: string): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new Unsure();
    return String(value);
  }
  if (typeof value !== 'string') throw new Unsure();
  return value.includes('\n') ? literalBlock(value, indent) : singleLine(value);
}

/**
 * A one-line string's text is the same at any depth below the root (the fold is off): ask
 * `stringify` for it as a sequence item.
 */
function singleLine(value: string): string {
  // The same test `yaml` makes before writing a plain scalar, without a document per value.
  if (PLAIN_WORD.test(value) && !IMPLICIT_TAGS.some((test) => test.test(value))) return value;
  const text = memo(scalarMemo, value, () => {
    const out = stringifyForCloudInit([value]);
    const body = out.slice('- '.length, -1);
    return out.startsWith('- ') && out.endsWith('\n') && !body.includes('\n') ? body : null;
  });
  if (text === null) throw new Unsure();
  return text;
}

function keyText(key: string): string {
  if (DOCUMENT_MARKER.test(key)) throw new Unsure();
  const text = memo(keyMemo, key, () => {
    const out = stringifyForCloudInit({ [key]: 0 });
    const body = out.slice(0, -': 0\n'.length);
    return out.endsWith(': 0\n') && !body.includes('\n') && !body.startsWith('?') ? body : null;
  });
  if (text === null) throw new Unsure();
  return text;
}

/**
 * `yaml`'s literal block for a multi-line string not at the root (stringifyString's blockString
 * with lineWidth 0, no comment); the "keep" chomping and quoted fallbacks are left to `stringify`.
 */
function literalBlock(text: string, indent: string): string {
  if (FORCES_DOUBLE_QUOTES.test(text) || /\n[\t ]+$/.test(text)) throw new Unsure();
  let value = text;
  let endStart = value.length;
  while (endStart > 0 && (value[endStart - 1] === '\n' || value[endStart - 1] === '\t' || value[endStart - 1] === ' ')) endStart--;
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  if (endNlPos !== -1 && (value === end || endNlPos !== end.length - 1)) throw new Unsure();
  const chomp = endNlPos === -1 ? '-' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNlPos = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

function memo(cache: Map<string, string | null>, key: string, compute: () => string | null): string | null {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}
