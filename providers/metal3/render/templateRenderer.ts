import { fileURLToPath } from 'node:url';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { PROPERTY, propertyField } from '../properties.js';
import { emitCloudConfig, emitYaml, mergeCloudConfig, parseCloudConfig, parseYamlMap, type CloudConfig } from './cloudConfig.js';
import { networkDataJsonProblems, networkView, validateCustomNetworkData } from './networkData.js';
import { SkeletonCache } from './skeletons.js';
import { TemplateSet } from './templateSet.js';
import type { NetworkDataInput, UserDataInput } from './types.js';
import { claimObject, joinScriptView, userDataView } from './userDataView.js';

export const TEMPLATE = {
  userData: 'user-data.yaml.hbs',
  joinScript: 'vcluster-join.sh.hbs',
  networkData: 'network-data.json.hbs',
  netplan: 'network-data.netplan.yaml.hbs',
} as const;

const DEFAULT_MAX_USER_DATA_BYTES = 64 * 1024;
/** Parsed `vcluster.com/user-data` documents kept by text (a fleet has a few). */
const USER_CONFIG_CACHE_LIMIT = 64;

/**
 * Renders cloud-init user data and network data from the Handlebars templates in `templatesDir`
 * (read and compiled once, here). Output is always re-serialised (YAML or JSON) after rendering,
 * so no input value can change the document's structure. A YAML template's output is parsed once
 * per structure (skeletons.ts), and the user's cloud-config once per text.
 */
export class TemplateRenderer {
  private readonly templates: TemplateSet;
  private readonly maxUserDataBytes: number;
  private readonly skeletons = new SkeletonCache();
  private readonly userConfigs = new Map<string, CloudConfig>();

  constructor(opts: { templatesDir?: string; maxUserDataBytes?: number } = {}) {
    const dir = opts.templatesDir ?? fileURLToPath(new URL('../../../templates', import.meta.url));
    this.templates = new TemplateSet(dir, Object.values(TEMPLATE));
    this.maxUserDataBytes = opts.maxUserDataBytes ?? DEFAULT_MAX_USER_DATA_BYTES;
  }

  /** `#cloud-config` text: the generated document merged with the user's `vcluster.com/user-data`. */
  renderUserData(input: UserDataInput): string {
    const object = claimObject(input);
    const userObject = input.userCloudConfigOrigin ?? object;
    const userField = propertyField(PROPERTY.userData);
    const user = input.userCloudConfig?.trim() ? this.userCloudConfig(input.userCloudConfig, userObject, userField) : {};
    const join = input.join;
    const joinScript = join ? this.templates.render(TEMPLATE.joinScript, joinScriptView({ ...input, join })) : undefined;
    const generated = this.renderYaml(TEMPLATE.userData, userDataView(input, joinScript));
    const text = emitCloudConfig(mergeCloudConfig(generated, user, userObject, userField));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxUserDataBytes) {
      throw new InvalidConfigurationError(input.userCloudConfig ? userObject : object, input.userCloudConfig ? userField : 'userData',
        `rendered user data is ${bytes} bytes, over the ${this.maxUserDataBytes}-byte limit`);
    }
    return text;
  }

  /** OpenStack network_data.json text, or the validated custom `metal3.vcluster.com/network-data` verbatim. */
  renderNetworkData(input: NetworkDataInput): string {
    if (input.custom !== undefined && input.custom.trim() !== '') {
      validateCustomNetworkData(input.custom, input.customOrigin);
      return input.custom;
    }
    const rendered = this.templates.render(TEMPLATE.networkData, networkView(input));
    let doc: unknown;
    try {
      doc = JSON.parse(rendered);
    } catch (err) {
      throw new InvalidConfigurationError(`template ${TEMPLATE.networkData}`, 'output', `is not valid JSON: ${(err as Error).message}`);
    }
    const problems = networkDataJsonProblems(doc);
    if (problems.length > 0) throw new InvalidConfigurationError(`template ${TEMPLATE.networkData}`, 'output', problems.join('; '));
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  /** The same network as netplan v2 YAML (what cloud-init turns network_data.json into); for checks and non-Metal3 consumers. */
  renderNetplan(input: NetworkDataInput): string {
    return emitYaml(this.renderYaml(TEMPLATE.netplan, networkView(input)));
  }

  /** The parsed output of a YAML template: from its skeleton when it has one, else the full parse. */
  private renderYaml(template: string, context: object): CloudConfig {
    const recorder = this.skeletons.recorder();
    const skeleton = this.templates.render(template, context, recorder);
    return this.skeletons.tree(skeleton, recorder.values) ?? this.parseGenerated(this.templates.render(template, context), template);
  }

  /** Cached by text; only parses that succeed are kept (errors name the origin, which may differ). */
  private userCloudConfig(text: string, object: string, field: string): CloudConfig {
    const hit = this.userConfigs.get(text);
    if (hit) return hit;
    const parsed = parseCloudConfig(text, object, field);
    if (this.userConfigs.size >= USER_CONFIG_CACHE_LIMIT) this.userConfigs.delete(this.userConfigs.keys().next().value as string);
    this.userConfigs.set(text, parsed);
    return parsed;
  }

  private parseGenerated(text: string, template: string): CloudConfig {
    const { value, problem } = parseYamlMap(text);
    if (!value) throw new InvalidConfigurationError(`template ${template}`, 'output', `renders invalid YAML (${problem})`);
    return value;
  }
}
