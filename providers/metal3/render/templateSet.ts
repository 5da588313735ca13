import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import type { ValueRecorder } from './skeletons.js';

/**
 * A private Handlebars environment holding one directory of templates, compiled once.
 * Every value a template prints goes through a helper that escapes it for the target syntax:
 * `yaml` and `json` (JSON text, which is also a valid YAML flow scalar), `shq` (POSIX shell
 * single quotes). Templates run in strict mode so a misspelt variable fails instead of
 * rendering empty.
 */
export class TemplateSet {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly dir: string, names: readonly string[]) {
    this.handlebars.registerHelper('yaml', jsonText);
    this.handlebars.registerHelper('json', jsonText);
    this.handlebars.registerHelper('shq', (value: unknown, options: HelperOptions) => `'${String(defined(value, options)).replace(/'/g, `'\\''`)}'`);
    this.registerPartials();
    for (const name of names) this.compiled.set(name, this.compile(name, this.read(name)));
  }

  /**
   * Renders `name` with `context`; runtime failures (e.g. a missing variable) name the template.
   * With a `recorder`, the `yaml`/`json` helpers hand it their values and print its placeholders.
   */
  render(name: string, context: object, recorder?: ValueRecorder): string {
    const template = this.compiled.get(name);
    if (!template) throw new Error(`template ${name} was not loaded`);
    try {
      return recorder ? template(context, { data: { recorder } }) : template(context);
    } catch (err) {
      throw this.templateError(name, err);
    }
  }

  private registerPartials(): void {
    const partialsDir = path.join(this.dir, 'partials');
    if (!existsSync(partialsDir)) return;
    for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs')).sort()) {
      const name = `partials/${file}`;
      const source = this.read(name);
      this.checkSyntax(name, source);
      // `{{> write-files}}` refers to partials/write-files.yaml.hbs.
      this.handlebars.registerPartial(file.replace(/\..*$/, ''), source);
    }
  }

  private read(name: string): string {
    try {
      return readFileSync(path.join(this.dir, name), 'utf8');
    } catch (err) {
      throw new InvalidConfigurationError(`template ${name}`, 'file', `cannot read ${path.join(this.dir, name)}: ${(err as Error).message}`);
    }
  }

  private compile(name: string, source: string): Handlebars.TemplateDelegate {
    this.checkSyntax(name, source);
    return this.handlebars.compile(source, { strict: true, noEscape: true });
  }

  /** Handlebars compiles lazily; parse now so a syntax error surfaces at construction. */
  private checkSyntax(name: string, source: string): void {
    try {
      this.handlebars.parse(source);
    } catch (err) {
      throw this.templateError(name, err);
    }
  }

  private templateError(name: string, err: unknown): InvalidConfigurationError {
    const message = err instanceof Error ? err.message : String(err);
    const line = /line (\d+)/i.exec(message)?.[1];
    return new InvalidConfigurationError(`template ${name}`, line ? `line ${line}` : 'template', message.split('\n')[0], { cause: err });
  }
}

interface HelperOptions { loc?: { start?: { line?: number } }; data?: { recorder?: ValueRecorder } }

function jsonText(value: unknown, options: HelperOptions): string {
  const recorder = options?.data?.recorder;
  return recorder ? recorder.placeholder(defined(value, options)) : JSON.stringify(defined(value, options));
}

/** Strict mode does not cover helper arguments: an undefined one is a misspelt variable (views use null for "absent"). */
function defined(value: unknown, options: HelperOptions): unknown {
  if (value === undefined) throw new Error(`undefined value printed at line ${options?.loc?.start?.line ?? '?'}`);
  return value;
}
