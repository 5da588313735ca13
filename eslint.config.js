import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Which way imports may point (README "Architecture"). Patterns match the import path by folder name:
// product code has no folders of these names inside it, so `**/lab/**` means the lab at the top.
const forbid = {
  lab: { group: ['**/lab', '**/lab/**'], message: 'product code never imports the lab (lab/ composes the product, not the other way).' },
  test: { group: ['**/test', '**/test/**'], message: 'product code never imports the tests.' },
  providers: { group: ['**/providers', '**/providers/**'], message: 'the host loads providers only through their manifest; it never imports providers/.' },
  platform: { group: ['**/platform', '**/platform/**'], message: 'a plugin gets what it needs through PluginHost; it never imports the host (platform/).' },
  common: { group: ['**/common', '**/common/**'], message: 'providers/ imports only plugin/contract.ts of the project.' },
  templates: { group: ['**/templates', '**/templates/**'], message: 'templates are files a provider reads at run time, not modules.' },
  pluginButContract: { group: ['**/plugin/**', '!**/plugin/contract.js'], message: 'of plugin/ only the contract (plugin/contract.ts) may be imported from here.' },
  anyOfProject: { group: ['../*', '**/plugin/**', '**/providers/**', '**/platform/**', '**/lab/**', '**/test/**', '**/templates/**'], message: 'common/ imports nothing of the project (only node builtins and npm packages).' },
};

const boundary = (files, ...rules) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: rules }] } });

export const importBoundaries = [
  boundary(['plugin/**/*.ts'], forbid.lab, forbid.test, forbid.platform),
  boundary(['providers/**/*.ts', 'templates/**/*.ts'], forbid.lab, forbid.test, forbid.platform, forbid.common, forbid.templates, forbid.pluginButContract),
  boundary(['platform/**/*.ts'], forbid.lab, forbid.test, forbid.providers, forbid.templates, forbid.pluginButContract),
  boundary(['common/**/*.ts'], forbid.anyOfProject),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.lab/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-console': 'off',
    },
  },
  ...importBoundaries,
);
