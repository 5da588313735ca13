/**
 * The renderer's fast paths (skeletons.ts: a template's output parsed once per structure;
 * yamlEmit.ts: stringify's bytes without stringify; the user's cloud-config parsed once per text)
 * against the straightforward implementation, kept here as the reference: render, parse the whole
 * output, merge, stringify (`stringifyForCloudInit`). Same bytes out, or the same error, for
 * adversarial values.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { PROPERTY, propertyField } from '../../../providers/metal3/properties.js';
import { CLOUD_CONFIG_HEADER, mergeCloudConfig, parseCloudConfig, parseYamlMap } from '../../../providers/metal3/render/cloudConfig.js';
import { networkView } from '../../../providers/metal3/render/networkData.js';
import { TEMPLATE, TemplateRenderer } from '../../../providers/metal3/render/templateRenderer.js';
import { SkeletonCache } from '../../../providers/metal3/render/skeletons.js';
import { TemplateSet } from '../../../providers/metal3/render/templateSet.js';
import type { NetworkDataInput, UserDataInput } from '../../../providers/metal3/render/types.js';
import { claimObject, joinScriptView, userDataView } from '../../../providers/metal3/render/userDataView.js';
import { emitYamlFast, stringifyForCloudInit } from '../../../providers/metal3/render/yamlEmit.js';
import { CA_PEM, JOIN, networkDataInput, userDataInput } from './fixtures.js';
import { cloudInitYamlLoad } from '../../support/externalTools.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));
const STRINGIFY = { version: '1.1', lineWidth: 0 } as const;
const RUNS = { numRuns: 300 };

/** The renderer before the fast paths, step for step. */
class ReferenceRenderer {
  private readonly templates: TemplateSet;
  constructor(dir = TEMPLATES, private readonly maxBytes = 64 * 1024) {
    this.templates = new TemplateSet(dir, Object.values(TEMPLATE));
  }

  renderUserData(input: UserDataInput): string {
    const object = claimObject(input);
    const userObject = input.userCloudConfigOrigin ?? object;
    const userField = propertyField(PROPERTY.userData);
    const user = input.userCloudConfig?.trim() ? parseCloudConfig(input.userCloudConfig, userObject, userField) : {};
    const join = input.join;
    const joinScript = join ? this.templates.render(TEMPLATE.joinScript, joinScriptView({ ...input, join })) : undefined;
    const generated = this.parse(this.templates.render(TEMPLATE.userData, userDataView(input, joinScript)), TEMPLATE.userData);
    const text = `${CLOUD_CONFIG_HEADER}\n${stringifyForCloudInit(mergeCloudConfig(generated, user, userObject, userField))}`;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxBytes) {
      throw new InvalidConfigurationError(input.userCloudConfig ? userObject : object, input.userCloudConfig ? userField : 'userData',
        `rendered user data is ${bytes} bytes, over the ${this.maxBytes}-byte limit`);
    }
    return text;
  }

  renderNetplan(input: NetworkDataInput): string {
    return stringifyForCloudInit(this.parse(this.templates.render(TEMPLATE.netplan, networkView(input)), TEMPLATE.netplan));
  }

  private parse(text: string, template: string) {
    const { value, problem } = parseYamlMap(text);
    if (!value) throw new InvalidConfigurationError(`template ${template}`, 'output', `renders invalid YAML (${problem})`);
    return value;
  }
}

type Outcome = { text: string } | { error: string };
function outcome(render: () => string): Outcome {
  try {
    return { text: render() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** Pieces YAML 1.1 (and JSON inside it) treats specially, mixed with ordinary text. */
const TRICKY = [
  '\u2028', '\u2029', '\u0085', '\ufeff', '\ufffe', '\x7f', '\x9f', '\xa0', '\ud800', '\udc00', '\ud83d\ude00', '\x00', '\x07', '\x1b',
  '\n', '\r', '\t', ' ', '  ', '"', "'", '\\', '\\n', '/', '#', ' #', ': ', ':', '- ', '? ', '|', '>', '&a', '*a', '!!str ', '!!binary ',
  '[', ']', '{', '}', ',', '@', '`', '%', '---', '...', '<<', '~', 'null', 'yes', 'no', 'on', 'off', 'Y', 'n', 'true', '0644', '0x1f', '0o17',
  '1:20', '1_000', '.inf', '-.5', '1e3', '=', '2001-12-14', '__proto__', 'x', 'abc', 'server-01', '\n\n', '\n ', ' \n', 'é', '中',
];
const tricky = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 });
/** Mostly a value the checks accept (so most renders get through to the YAML), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: other });
const taint = fc.record({
  key: mostly(fc.constantFrom('nvidia.com/gpu', 'dedicated', 'example.com/a_b', 'on', 'yes'), tricky),
  value: fc.option(mostly(fc.constantFrom('present', 'a.b-c', 'off', '0644'), tricky), { nil: undefined }),
  effect: mostly(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'), fc.constant('Sometimes')),
});
const kubeletArgs = fc.dictionary(mostly(fc.constantFrom('max-pods', 'node-ip', 'eviction-hard'), fc.oneof(fc.constant('register-with-taints'), tricky)),
  mostly(fc.oneof(fc.constantFrom('50', 'memory.available<500Mi', 'yes'), printable.filter((v) => !/["'\\`$]/.test(v))), tricky), { maxKeys: 3 });
/** Strings cloud-config usually holds, so trees are often of the shapes the fast emitter takes. */
const usual = fc.constantFrom('tenant-1-gpu-h100-42', 'Yes', 'NULL', '0b101', '+12', '1e3', '/etc/motd', 'root:root', '0644', 'echo hi', 'ssh-ed25519 AAAA op@x', 'line1\nline2\n', '  lead\nx\n', 'a\n\n\nb\n', 'no newline\nat end', 'tab\t\nend\n', '#!/bin/bash\nset -e\n', '---\nx\n', '');
/** Plain data the way YAML 1.1 reads it into JS: the material of a user cloud-config. */
const { tree: yamlTree } = fc.letrec<{ tree: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(usual, usual, tricky, fc.integer(), fc.boolean(), fc.constant(null), fc.double()),
  tree: fc.oneof({ depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(tricky, fc.constantFrom('runcmd', 'write_files', 'packages', 'bootcmd', 'hostname', 'path', 'content')), tie('tree'), { maxKeys: 4 })),
}));
const text = fc.oneof(usual, tricky);
const list = <T>(item: fc.Arbitrary<T>) => fc.array(item, { minLength: 1, maxLength: 3 });
const userDoc = fc.record({
  runcmd: list(fc.oneof(text, list(text))),
  bootcmd: list(text),
  write_files: list(fc.record({ path: text, content: text, permissions: fc.constantFrom('0644', '0600') }, { requiredKeys: ['path'] })),
  ssh_authorized_keys: list(text),
  packages: list(text),
  package_update: fc.boolean(),
  hostname: text,
  users: yamlTree,
  x: yamlTree,
}, { requiredKeys: [] });
const userCloudConfig = fc.oneof(
  fc.constant(undefined),
  { weight: 3, arbitrary: userDoc.map((doc) => `${CLOUD_CONFIG_HEADER}\n${stringify(doc, STRINGIFY)}`) },
  fc.dictionary(fc.constantFrom('runcmd', 'write_files', 'package_update', 'x'), yamlTree, { maxKeys: 3 }).map((doc) => `${CLOUD_CONFIG_HEADER}\n${stringify(doc, STRINGIFY)}`),
  tricky.map((t) => `${CLOUD_CONFIG_HEADER}\n${t}`),
);

const userInput: fc.Arbitrary<UserDataInput> = fc.record({
  hostname: fc.oneof(fc.constantFrom('server-01', 'yes', '0644'), usual, tricky),
  sshKeys: fc.array(fc.oneof(fc.constant('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 op@example'), usual, tricky), { maxLength: 3 }),
  join: fc.option(fc.record({
    endpoint: mostly(fc.oneof(fc.constant(JOIN.endpoint), tricky.map((t) => `https://10.0.0.5:8443/${t}`)), tricky),
    caCertPem: fc.oneof(fc.constant(CA_PEM), tricky.map((t) => `-----BEGIN CERTIFICATE-----\n${t}\n-----END CERTIFICATE-----${t}`)),
    caCertHash: fc.constant(JOIN.caCertHash),
    token: mostly(fc.oneof(fc.constant(JOIN.token), printable), tricky),
  }), { nil: undefined, freq: 4 }),
  taints: fc.option(fc.array(taint, { maxLength: 2 }), { nil: undefined }),
  startupTaints: fc.option(fc.array(taint, { maxLength: 2 }), { nil: undefined }),
  kubeletArgs: fc.option(kubeletArgs, { nil: undefined }),
  userCloudConfig,
  userCloudConfigOrigin: fc.constantFrom(undefined, 'NodeType gpu'),
}).map((o) => ({ ...userDataInput(), ...o }));

/**
 * Where PyYAML (cloud-init) and `yaml` still read the same emitted text differently: C0 controls
 * other than TAB and newline, DEL and C1 (PyYAML refuses them raw, or folds), the line breaks
 * U+0085/U+2028/U+2029, U+FEFF/U+FFFE/U+FFFF, lone surrogates, and floats written without a dot
 * (`6e-323`: a string to YAML 1.1's float pattern). Found by the cloud-init test below; left to a
 * follow-up. (TAB, `<<` and `=`, found the same way, are double-quoted by stringifyForCloudInit.)
 */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const DIVERGING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]/gu;
function withoutDiverging(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(DIVERGING, '_');
  // (NaN and the infinities do not diverge, but JSON cannot carry them back from Python.)
  if (typeof value === 'number' && (!Number.isFinite(value) || /e/i.test(String(value)))) return 0.5;
  if (Array.isArray(value)) return value.map(withoutDiverging);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutDiverging(k), withoutDiverging(v)]));
  return value;
}
function withoutDivergingCharacters(input: UserDataInput): UserDataInput {
  const { userCloudConfig, ...rest } = input;
  const user = userCloudConfig === undefined ? {} : { userCloudConfig: (() => {
    const { value } = parseYamlMap(userCloudConfig.replace(/^#cloud-config\n/, ''));
    return value ? `${CLOUD_CONFIG_HEADER}\n${stringify(withoutDiverging(value), STRINGIFY)}` : (withoutDiverging(userCloudConfig) as string);
  })() };
  return { ...(withoutDiverging(rest) as UserDataInput), ...user };
}

/** The path of the first place two JSON trees differ, with both sides there. */
function difference(a: unknown, b: unknown, at: string): string | undefined {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const found = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : `${at || '/'}: cloud-init ${JSON.stringify(a)}, checked ${JSON.stringify(b)}`;
}

describe('the renderer’s fast paths', () => {
  const renderer = new TemplateRenderer();
  const reference = new ReferenceRenderer();

  it('render user data byte for byte as the reference does, or fail with the same error, for adversarial values', () => {
    let rendered = 0;
    fc.assert(fc.property(userInput, (input) => {
      const result = outcome(() => renderer.renderUserData(input));
      expect(result).toEqual(outcome(() => reference.renderUserData(input)));
      if ('text' in result) rendered++;
    }), RUNS);
    expect(rendered).toBeGreaterThan(RUNS.numRuns / 3);
  });

  it('keep the size limit exactly where the reference has it', () => {
    const small = new TemplateRenderer({ maxUserDataBytes: 3000 });
    const smallReference = new ReferenceRenderer(TEMPLATES, 3000);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1500 }), (n) => {
      const input = userDataInput({ hostname: 'h'.repeat(n) });
      expect(outcome(() => small.renderUserData(input))).toEqual(outcome(() => smallReference.renderUserData(input)));
    }), { numRuns: 100 });
  });

  it('render netplan (values as map keys) as the reference does', () => {
    const nic = fc.record({ name: fc.oneof(fc.constantFrom('eno1', 'eno2', 'yes', '<<'), tricky), mac: fc.constantFrom('52:54:00:aa:00:01', '52:54:00:aa:00:02', '52:54:00:AA:00:03') });
    fc.assert(fc.property(fc.array(nic, { maxLength: 3 }), fc.boolean(), (nics, withIp) => {
      const input = networkDataInput({ nics, ...(withIp ? {} : { ip: undefined }) });
      expect(outcome(() => renderer.renderNetplan(input))).toEqual(outcome(() => reference.renderNetplan(input)));
    }), RUNS);
  });

  it('emit exactly what the stringify path emits whenever the fast emitter answers', () => {
    const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('runcmd', 'write_files', 'path', 'content', 'owner') }, { weight: 1, arbitrary: tricky });
    const scalar = fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: tricky }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)) });
    const entry = fc.dictionary(key, scalar, { minKeys: 1, maxKeys: 4, noNullPrototype: true });
    const cloudShaped = fc.dictionary(key, fc.oneof(scalar, fc.array(fc.oneof(scalar, entry), { minLength: 1, maxLength: 4 }), entry), { minKeys: 1, maxKeys: 6, noNullPrototype: true });
    let answered = 0;
    fc.assert(fc.property(fc.oneof(cloudShaped, fc.dictionary(tricky, yamlTree, { minKeys: 1, maxKeys: 5 })), (doc) => {
      const fast = emitYamlFast(doc);
      if (fast !== undefined) {
        answered++;
        expect(fast).toBe(stringifyForCloudInit(doc));
      }
    }), { numRuns: 2000 });
    expect(answered).toBeGreaterThan(200);
  });

  it('answer the generated document from a cached skeleton and the fast emitter (else the speed-up is gone)', () => {
    const templates = new TemplateSet(TEMPLATES, Object.values(TEMPLATE));
    const skeletons = new SkeletonCache();
    const input = userDataInput();
    const view = userDataView(input, templates.render(TEMPLATE.joinScript, joinScriptView({ ...input, join: JOIN })));
    const recorder = skeletons.recorder();
    const tree = skeletons.tree(templates.render(TEMPLATE.userData, view, recorder), recorder.values);
    expect(tree).toEqual(parseYamlMap(templates.render(TEMPLATE.userData, view)).value);
    expect(emitYamlFast(tree!)).toBe(stringifyForCloudInit(tree));
  });

  describe('with custom templates that defeat the skeleton (placeholder inside a string, in a comment, behind an alias, as a key)', () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'metal3-equivalence-'));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it.each([
      ['inside a block scalar', '#cloud-config\nhostname: {{yaml hostname}}\nbootcmd:\n  - |\n    echo {{yaml hostname}}\n'],
      ['in a comment', '#cloud-config\nhostname: {{yaml hostname}} # {{yaml fqdn}}\n'],
      ['behind an alias', '#cloud-config\nhostname: &h {{yaml hostname}}\nfqdn: *h\n'],
      ['as a key', '#cloud-config\nhostname: x\n{{yaml hostname}}: {{yaml fqdn}}\n'],
      ['with a tag', '#cloud-config\nhostname: !!str {{yaml hostname}}\nfqdn: {{yaml sshKeys}}\n'],
      ['in flow collections', '#cloud-config\nhostname: x\nruncmd: [{{yaml hostname}}, [{{yaml sshKeys}}], {a: {{yaml fqdn}} }]\n'],
      ['printed with json', '#cloud-config\nhostname: {{json hostname}}\nssh_authorized_keys: {{json sshKeys}}\n'],
    ])('%s: same output or error as the reference', (_name, template) => {
      const dir = mkdtempSync(path.join(scratch, 'copy-'));
      cpSync(TEMPLATES, dir, { recursive: true });
      writeFileSync(path.join(dir, TEMPLATE.userData), template);
      const custom = new TemplateRenderer({ templatesDir: dir });
      const customReference = new ReferenceRenderer(dir);
      fc.assert(fc.property(userInput, (input) => {
        expect(outcome(() => custom.renderUserData(input))).toEqual(outcome(() => customReference.renderUserData(input)));
      }), { numRuns: 100 });
    });
  });

  it('double-quotes the one-line strings cloud-init would refuse or misread written plain (a TAB, `<<`, `=`)', () => {
    const userCloudConfig = `${CLOUD_CONFIG_HEADER}\nruncmd:\n  - "printf 'a\\tb'"\n  - "<<"\n  - "="\n"<<": "="\n`;
    const text = renderer.renderUserData(userDataInput({ userCloudConfig }));
    expect(text).toContain('  - "printf \'a\\tb\'"\n  - !!str "<<"\n  - "="\n');
    const [read] = cloudInitYamlLoad([text]);
    expect(read).toMatchObject({ runcmd: ['printf \'a\tb\'', '<<', '=', '/usr/local/sbin/vcluster-join.sh'], '<<': '=' });
    expect(read).toEqual(parse(text, { version: '1.1' }));
  });

  it('cloud-init’s own loader reads each rendered text as the tree the renderer checked and merged (values without the characters where the two parsers differ)', () => {
    const seed = Date.now();
    const texts = fc.sample(userInput.map(withoutDivergingCharacters), { numRuns: 400, seed }).flatMap((input) => {
      const rendered = outcome(() => renderer.renderUserData(input));
      return 'text' in rendered ? [rendered.text] : [];
    });
    expect(texts.length).toBeGreaterThan(100);
    const read = cloudInitYamlLoad(texts);
    const diverging = texts.flatMap((text, i) => {
      const checked: unknown = JSON.parse(JSON.stringify(parse(text, { version: '1.1' })));
      const where = difference(read[i], checked, '');
      return where === undefined ? [] : [{ where, text }];
    });
    expect({ seed, diverging: diverging.slice(0, 3) }).toEqual({ seed, diverging: [] });
  });
});
