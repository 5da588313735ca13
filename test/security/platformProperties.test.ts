/**
 * Property-based tests (fast-check) for the platform's input handling that test/unit does not cover:
 * the autoNodes validator (platform/autoNodes/validate.ts) never throws on arbitrary input, only
 * returns errors that name a field path, and accepts every well-formed config unchanged; requirement
 * matching (platform/scheduling/requirements.ts) obeys the set laws of Kubernetes selectors.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseAutoNodesFromValues, validateAutoNodes } from '../../platform/autoNodes/validate.js';
import type { Requirement } from '../../platform/autoNodes/config.js';
import { satisfies, satisfiesAll } from '../../platform/scheduling/requirements.js';

const RUNS = { numRuns: 300 };
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const operator = fc.constantFrom('', 'In', 'NotIn', 'Exists', 'DoesNotExist', 'NotExists', 'Gt', 'Lt', 'Like', 'in', 42, null);

/** YAML-ish values that look like autoNodes but are wrong in every possible place. */
const selectorEntry = fc.record(
  { property: fc.oneof(name, fc.anything()), operator, value: fc.oneof(fc.string(), fc.integer(), fc.anything()), values: fc.oneof(fc.array(fc.string()), fc.anything()) },
  { requiredKeys: [] },
);
const pool = fc.record(
  {
    name: fc.oneof(name, fc.constant(''), fc.anything()),
    quantity: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.double(), fc.string(), fc.anything()),
    nodeTypeSelector: fc.oneof(fc.array(selectorEntry, { maxLength: 3 }), fc.anything()),
    taints: fc.oneof(fc.array(fc.record({ key: fc.string(), effect: fc.oneof(fc.constantFrom('NoSchedule', 'Sometimes'), fc.anything()) }), { maxLength: 2 }), fc.anything()),
    terminationGracePeriod: fc.oneof(fc.constantFrom('30s', '1m30s', 'soon'), fc.anything()),
    properties: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.dictionary(fc.string(), fc.anything())),
  },
  { requiredKeys: [] },
);
const entry = fc.record(
  { provider: fc.oneof(name, fc.anything()), static: fc.oneof(fc.array(pool, { maxLength: 3 }), fc.anything()), dynamic: fc.oneof(fc.array(pool, { maxLength: 2 }), fc.anything()), properties: fc.anything() },
  { requiredKeys: [] },
);
const autoNodesish = fc.oneof(fc.array(fc.oneof(entry, fc.anything()), { maxLength: 4 }), entry, fc.anything());

function expectOnlyErrors(result: ReturnType<typeof validateAutoNodes>): void {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(typeof error).toBe('string');
    // Every error starts with the field path (user keys may themselves contain ':' or spaces).
    expect(error).toMatch(/^(privateNodes|spec\.template\.helmRelease\.values)\b.*: \S/s);
  }
}

describe('autoNodes validator properties', () => {
  it('never throws on arbitrary autoNodes-shaped input; errors always name a field', () => {
    fc.assert(fc.property(autoNodesish, (raw) => expectOnlyErrors(validateAutoNodes(raw))), RUNS);
  });

  it('never throws on arbitrary vcluster.yaml text, valid YAML or not', () => {
    const asYaml = autoNodesish.map((autoNodes) => {
      try {
        return stringify({ privateNodes: { autoNodes } });
      } catch {
        return 'privateNodes: {}';
      }
    });
    fc.assert(fc.property(fc.oneof(fc.string(), asYaml, fc.string().map((s) => `privateNodes:\n  autoNodes: ${s}`)), (text) => {
      expectOnlyErrors(parseAutoNodesFromValues(text));
    }), RUNS);
  });

  it('accepts every well-formed config and keeps providers, pool names and quantities', () => {
    const goodSelector = fc.record({ property: name, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(name, { minLength: 1, maxLength: 3 }) });
    const goodConfig = fc.uniqueArray(name, { minLength: 1, maxLength: 3 }).chain((providers) =>
      fc.uniqueArray(name, { minLength: providers.length, maxLength: providers.length + 3 }).chain((pools) =>
        fc.tuple(fc.constant(providers), fc.constant(pools), fc.array(fc.nat(20), { minLength: pools.length, maxLength: pools.length }), fc.array(goodSelector, { maxLength: 2 })),
      ),
    );
    fc.assert(fc.property(goodConfig, ([providers, pools, quantities, selector]) => {
      const raw = providers.map((provider, i) => ({
        provider,
        static: pools.filter((_, j) => j % providers.length === i).map((poolName) => ({ name: poolName, quantity: quantities[pools.indexOf(poolName)], nodeTypeSelector: selector })),
      }));
      const result = validateAutoNodes(raw);
      expect(result.ok ? [] : result.errors).toEqual([]);
      if (!result.ok) return;
      expect(result.config.entries.map((e) => e.provider)).toEqual(providers);
      const got = result.config.entries.flatMap((e) => e.static.map((p) => [p.name, p.quantity]));
      expect(got).toEqual(raw.flatMap((e) => e.static.map((p) => [p.name, p.quantity])));
    }), RUNS);
  });

  it('a provider named twice is always reported on the second entry', () => {
    fc.assert(fc.property(name, fc.nat(3), (provider, extra) => {
      const raw = [{ provider }, ...Array.from({ length: extra }, (_, i) => ({ provider: `${provider}-x${i}` })), { provider }];
      const result = validateAutoNodes(raw);
      expect(result.ok ? [] : result.errors).toContainEqual(expect.stringContaining(`privateNodes.autoNodes[${extra + 1}].provider: you cannot have two configurations`));
    }), RUNS);
  });
});

describe('requirement matching properties', () => {
  const value = fc.stringMatching(/^[a-z0-9]{1,4}$/);
  const props = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(value, fc.constant('*'), fc.array(value, { minLength: 1, maxLength: 3 }).map((v) => v.join(','))));
  const requirement: fc.Arbitrary<Requirement> = fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'),
    values: fc.array(fc.oneof(value, fc.integer({ min: -5, max: 50 }).map(String)), { minLength: 1, maxLength: 3 }),
  });

  it('never throws, and satisfiesAll is the conjunction of satisfies', () => {
    fc.assert(fc.property(props, fc.array(requirement, { maxLength: 4 }), (properties, reqs) => {
      expect(satisfiesAll(properties, reqs)).toBe(reqs.every((r) => satisfies(properties, r)));
    }), RUNS);
  });

  it('Exists and DoesNotExist are complements', () => {
    fc.assert(fc.property(props, fc.constantFrom('a', 'b', 'c', 'd'), (properties, key) => {
      expect(satisfies(properties, { key, operator: 'Exists' })).toBe(!satisfies(properties, { key, operator: 'DoesNotExist' }));
    }), RUNS);
  });

  it('for a single concrete value, In and NotIn are complements; a wildcard satisfies both', () => {
    fc.assert(fc.property(value, fc.array(value, { minLength: 1, maxLength: 3 }), (offered, values) => {
      const properties = { a: offered };
      expect(satisfies(properties, { key: 'a', operator: 'In', values })).toBe(values.includes(offered));
      expect(satisfies(properties, { key: 'a', operator: 'NotIn', values })).toBe(!values.includes(offered));
      expect(satisfies({ a: '*' }, { key: 'a', operator: 'In', values })).toBe(true);
      expect(satisfies({ a: '*' }, { key: 'a', operator: 'NotIn', values })).toBe(true);
    }), RUNS);
  });

  it('Gt and Lt compare integers numerically (not as strings), and an absent property satisfies neither', () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (offered, bound) => {
      const properties = { gpus: String(offered) };
      expect(satisfies(properties, { key: 'gpus', operator: 'Gt', values: [String(bound)] })).toBe(offered > bound);
      expect(satisfies(properties, { key: 'gpus', operator: 'Lt', values: [String(bound)] })).toBe(offered < bound);
      expect(satisfies({}, { key: 'gpus', operator: 'Gt', values: [String(bound)] })).toBe(false);
      expect(satisfies({}, { key: 'gpus', operator: 'Lt', values: [String(bound)] })).toBe(false);
    }), RUNS);
  });

  it('requirements produced by the validator can always be evaluated', () => {
    fc.assert(fc.property(fc.array(selectorEntry, { maxLength: 4 }), props, (selector, properties) => {
      const result = validateAutoNodes([{ provider: 'm3', static: [{ name: 'p', quantity: 1, nodeTypeSelector: selector }] }]);
      if (!result.ok) return;
      expect(typeof satisfiesAll(properties, result.config.entries[0].static[0].requirements)).toBe('boolean');
    }), RUNS);
  });
});
