/**
 * The renderer's fast paths (skeletons.ts: a template's output parsed once per structure;
 * yamlEmit.ts: stringify's bytes without stringify; the user's cloud-config parsed once per text)
 * against the straightforward implementation, kept here as the reference: render, parse the whole
 * output, merge, stringify. Same bytes out, or the same error, for adversarial values.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { PROPERTY, propertyField } from '../../../providers/metal3/properties.js';
import { CLOUD_CONFIG_HEADER, mergeCloudConfig, parseCloudConfig, parseYamlMap } from '../../../providers/metal3/render/cloudConfig.js';
import { networkView } from '../../../providers/metal3/render/networkData.js';
import { TEMPLATE, TemplateRenderer } from '../../../providers/metal3/render/templateRenderer.js';
import { SkeletonCache } from '../../../providers/metal3/render/skeletons.js';
import { TemplateSet } from '../../../providers/metal3/render/templateSet.js';
import type { NetworkDataInput, UserDataInput } from '../../../providers/metal3/render/types.js';
import { claimObject, joinScriptView, userDataView } from '../../../providers/metal3/render/userDataView.js';
import { emitYamlFast } from '../../../providers/metal3/render/yamlEmit.js';
import { CA_PEM, JOIN, networkDataInput, userDataInput } from './fixtures.js';

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
    const text = `${CLOUD_CONFIG_HEADER}\n${stringify(mergeCloudConfig(generated, user, userObject, userField), STRINGIFY)}`;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxBytes) {
      throw new InvalidConfigurationError(input.userCloudConfig ? userObject : object, input.userCloudConfig ? userField : 'userData',
        `rendered user data is ${bytes} bytes, over the ${this.maxBytes}-byte limit`);
    }
    return text;
  }

  renderNetplan(input: NetworkDataInput): string {
    return stringify(this.parse(this.templates.render(TEMPLATE.netplan, networkView(input)), TEMPLATE.netplan), STRINGIFY);
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
  '1:20', '1_000', '.inf', '-.5', '1e3', '2001-12-14', '__proto__', 'x', 'abc', 'server-01', '\n\n', '\n ', ' \n', 'é', '中',
];
const tricky = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 });
const taint = fc.record({
  key: fc.oneof(fc.constantFrom('nvidia.com/gpu', 'dedicated', 'example.com/a_b'), tricky),
  value: fc.option(fc.oneof(fc.constantFrom('present', 'a.b-c'), tricky), { nil: undefined }),
  effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute', 'Sometimes'),
});
const kubeletArgs = fc.dictionary(fc.oneof(fc.constantFrom('max-pods', 'node-ip', 'register-with-taints'), tricky), fc.oneof(fc.constantFrom('50', 'memory.available<500Mi'), tricky), { maxKeys: 3 });

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
const userCloudConfig = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom('runcmd', 'write_files', 'ssh_authorized_keys', 'packages', 'bootcmd', 'package_update', 'hostname', 'fqdn', 'users', 'x'), yamlTree, { maxKeys: 5 })
    .map((doc) => `${CLOUD_CONFIG_HEADER}\n${stringify(doc, STRINGIFY)}`),
  tricky.map((text) => `${CLOUD_CONFIG_HEADER}\n${text}`),
);

const userInput: fc.Arbitrary<UserDataInput> = fc.record({
  hostname: fc.oneof(fc.constantFrom('server-01', 'yes', '0644'), tricky),
  sshKeys: fc.array(fc.oneof(fc.constant('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 op@example'), tricky), { maxLength: 3 }),
  join: fc.option(fc.record({
    endpoint: fc.oneof(fc.constant(JOIN.endpoint), tricky.map((t) => `https://10.0.0.5:8443/${t}`), tricky),
    caCertPem: fc.oneof(fc.constant(CA_PEM), tricky.map((t) => `-----BEGIN CERTIFICATE-----\n${t}\n-----END CERTIFICATE-----${t}`)),
    caCertHash: fc.constant(JOIN.caCertHash),
    token: fc.oneof(fc.constant(JOIN.token), printable, tricky),
  }), { nil: undefined }),
  taints: fc.option(fc.array(taint, { maxLength: 2 }), { nil: undefined }),
  startupTaints: fc.option(fc.array(taint, { maxLength: 2 }), { nil: undefined }),
  kubeletArgs: fc.option(kubeletArgs, { nil: undefined }),
  userCloudConfig,
  userCloudConfigOrigin: fc.constantFrom(undefined, 'NodeType gpu'),
}).map((o) => ({ ...userDataInput(), ...o }));

describe('the renderer’s fast paths', () => {
  const renderer = new TemplateRenderer();
  const reference = new ReferenceRenderer();

  it('render user data byte for byte as the reference does, or fail with the same error, for adversarial values', () => {
    fc.assert(fc.property(userInput, (input) => {
      expect(outcome(() => renderer.renderUserData(input))).toEqual(outcome(() => reference.renderUserData(input)));
    }), RUNS);
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

  it('emit exactly what stringify emits whenever the fast emitter answers', () => {
    const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('runcmd', 'write_files', 'path', 'content', 'owner') }, { weight: 1, arbitrary: tricky });
    const scalar = fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: tricky }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)) });
    const entry = fc.dictionary(key, scalar, { minKeys: 1, maxKeys: 4, noNullPrototype: true });
    const cloudShaped = fc.dictionary(key, fc.oneof(scalar, fc.array(fc.oneof(scalar, entry), { minLength: 1, maxLength: 4 }), entry), { minKeys: 1, maxKeys: 6, noNullPrototype: true });
    let answered = 0;
    fc.assert(fc.property(fc.oneof(cloudShaped, fc.dictionary(tricky, yamlTree, { minKeys: 1, maxKeys: 5 })), (doc) => {
      const fast = emitYamlFast(doc);
      if (fast !== undefined) {
        answered++;
        expect(fast).toBe(stringify(doc, STRINGIFY));
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
    expect(emitYamlFast(tree!)).toBe(stringify(tree, STRINGIFY));
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
});
