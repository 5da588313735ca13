import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { TemplateRenderer } from '../../../providers/metal3/render/index.js';
import { userDataInput } from './fixtures.js';
import { expectRejectsWith } from '../../support/expectations.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));
}

describe('templates', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'metal3-templates-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function copyWith(name: string, source: string): string {
    const dir = mkdtempSync(path.join(scratch, 'copy-'));
    cpSync(TEMPLATES, dir, { recursive: true });
    writeFileSync(path.join(dir, name), source);
    return dir;
  }

  it('print every value through an escaping helper (yaml, json, shq): no raw {{value}}', () => {
    const files = templateFiles(TEMPLATES);
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const source = readFileSync(path.join(TEMPLATES, file), 'utf8');
      const helper = file.endsWith('.sh.hbs') ? 'shq' : file.endsWith('.json.hbs') ? 'json' : 'yaml';
      for (const [mustache] of source.matchAll(/\{\{[^}]*\}\}/g)) {
        const ok = /^\{\{(~?[#/!>]|else\b|!--)/.test(mustache) || mustache.startsWith(`{{${helper} `);
        if (!ok) throw new Error(`${file}: ${mustache} prints a value without the ${helper} helper`);
      }
      expect(source).not.toMatch(/\{\{\{/);
    }
  });

  it('a syntax error fails construction, naming the template file and line', async () => {
    const dir = copyWith('user-data.yaml.hbs', '#cloud-config\nhostname: {{yaml hostname}}\nruncmd: {{#if x}}\n');
    await expectRejectsWith(() => new TemplateRenderer({ templatesDir: dir }), 'InvalidConfiguration', { object: 'template user-data.yaml.hbs', field: /^line \d+$/ });
  });

  it('a syntax error in a partial names the partial', () => {
    const dir = copyWith('partials/runcmd.yaml.hbs', '- {{yaml joinScriptPath}\n');
    expect(() => new TemplateRenderer({ templatesDir: dir })).toThrow(/^template partials\/runcmd.yaml.hbs: line 1: /);
  });

  it('a misspelt variable fails at render time (strict mode), naming the template', () => {
    const dir = copyWith('user-data.yaml.hbs', '#cloud-config\nhostname: {{yaml hostnmae}}\n');
    const renderer = new TemplateRenderer({ templatesDir: dir });
    expect(() => renderer.renderUserData(userDataInput())).toThrow(/^template user-data.yaml.hbs: /);
  });

  it('a template that renders broken YAML is reported without quoting the output', () => {
    const dir = copyWith('user-data.yaml.hbs', '#cloud-config\nhostname: {{yaml hostname}}\n  bad: [indent\nscript: {{yaml joinScript}}\n');
    const renderer = new TemplateRenderer({ templatesDir: dir });
    let message = '';
    try {
      renderer.renderUserData(userDataInput());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^template user-data.yaml.hbs: output: renders invalid YAML \(line \d+: /);
    expect(message).not.toContain('token=');
  });

  it('a missing templates directory is a clear error', () => {
    expect(() => new TemplateRenderer({ templatesDir: path.join(scratch, 'nope') })).toThrow(/cannot read/);
  });

  it('uses a private Handlebars instance: nothing is registered globally', () => {
    new TemplateRenderer();
    expect(Handlebars.helpers.yaml).toBeUndefined();
    expect(Handlebars.partials['write-files']).toBeUndefined();
  });
});
