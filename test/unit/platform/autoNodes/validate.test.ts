import { describe, expect, it } from '@jest/globals';
import { parseAutoNodesFromValues, parseDurationMs, validateAutoNodes } from '../../../../platform/autoNodes/validate.js';

const pool = (extra: Record<string, unknown> = {}) => ({ name: 'p', quantity: 1, ...extra });
const sel = (r: Record<string, unknown>) => [{ provider: 'm3', static: [pool({ nodeTypeSelector: [{ property: 'k', ...r }] })] }];

describe('autoNodes validation: accepted configs', () => {
  it.each([
    ['absent', undefined],
    ['empty list', []],
    ['minimal static pool', [{ provider: 'm3', static: [pool()] }]],
    ['quantity 0', [{ provider: 'm3', static: [pool({ quantity: 0 })] }]],
    ['two providers, distinct pools', [{ provider: 'a', static: [pool({ name: 'x' })] }, { provider: 'b', dynamic: [{ name: 'y' }] }]],
    ['operator "" with value', sel({ operator: '', value: 'v' })],
    ['operator omitted with values', sel({ values: ['a', 'b'] })],
    ['In', sel({ operator: 'In', values: ['a'] })],
    ['NotIn', sel({ operator: 'NotIn', value: 'a' })],
    ['Exists', sel({ operator: 'Exists' })],
    ['DoesNotExist', sel({ operator: 'DoesNotExist' })],
    ['NotExists alias', sel({ operator: 'NotExists' })],
    ['Gt integer', sel({ operator: 'Gt', value: '4' })],
    ['Lt integer list of one', sel({ operator: 'Lt', values: ['8'] })],
    ['taints, labels, grace', [{ provider: 'm3', static: [pool({ taints: [{ key: 'gpu', effect: 'NoSchedule' }], nodeLabels: { a: 'b' }, terminationGracePeriod: '1m30s' })] }]],
    ['legacy single-object form', { provider: 'm3', static: [pool()] }],
  ])('%s', (_name, raw) => {
    expect(validateAutoNodes(raw)).toMatchObject({ ok: true });
  });

  it('normalises operators: "" → In, value → values, NotExists → DoesNotExist', () => {
    const r = validateAutoNodes([{ provider: 'm3', static: [pool({ nodeTypeSelector: [
      { property: 'a', operator: '', value: 'x' }, { property: 'b', operator: 'NotExists' },
    ] })] }]);
    expect(r.ok && r.config.entries[0].static[0].requirements).toEqual([
      { key: 'a', operator: 'In', values: ['x'] }, { key: 'b', operator: 'DoesNotExist' },
    ]);
  });

  it('overlays nothing itself but keeps entry and pool properties apart', () => {
    const r = validateAutoNodes([{ provider: 'm3', properties: { a: '1' }, static: [pool({ properties: { b: '2' } })] }]);
    expect(r.ok && r.config.entries[0].properties).toEqual({ a: '1' });
    expect(r.ok && r.config.entries[0].static[0].properties).toEqual({ b: '2' });
  });
});

describe('autoNodes validation: rejected configs name the field', () => {
  it.each([
    ['not a list', 'x', 'privateNodes.autoNodes: must be a list'],
    ['provider missing', [{ static: [pool()] }], 'privateNodes.autoNodes[0].provider: required'],
    ['provider twice', [{ provider: 'm3' }, { provider: 'm3' }], 'privateNodes.autoNodes[1].provider: you cannot have two configurations for the same provider'],
    ['pool name missing', [{ provider: 'm3', static: [{ quantity: 1 }] }], 'privateNodes.autoNodes[0].static[0].name: required'],
    ['dynamic pool name missing', [{ provider: 'm3', dynamic: [{}] }], 'privateNodes.autoNodes[0].dynamic[0].name: required'],
    ['duplicate pool across static/dynamic', [{ provider: 'm3', static: [pool({ name: 'a' })], dynamic: [{ name: 'a' }] }], 'privateNodes.autoNodes[0].dynamic[0].name: duplicate pool name "a"'],
    ['duplicate pool across providers', [{ provider: 'x', static: [pool({ name: 'a' })] }, { provider: 'y', static: [pool({ name: 'a' })] }], 'privateNodes.autoNodes[1].static[0].name: duplicate pool name "a"'],
    ['negative quantity', [{ provider: 'm3', static: [pool(), pool({ name: 'q', quantity: -1 })] }], 'privateNodes.autoNodes[0].static[1].quantity: must be >= 0'],
    ['fractional quantity', [{ provider: 'm3', static: [pool({ quantity: 1.5 })] }], 'privateNodes.autoNodes[0].static[0].quantity: must be an integer'],
    ['string quantity', [{ provider: 'm3', static: [pool({ quantity: '2' })] }], 'privateNodes.autoNodes[0].static[0].quantity: must be an integer'],
    ['quantity missing', [{ provider: 'm3', static: [{ name: 'p' }] }], 'privateNodes.autoNodes[0].static[0].quantity: required'],
    ['unknown operator', sel({ operator: 'Like', value: 'x' }), 'nodeTypeSelector[0].operator: unsupported operator "Like"'],
    ['property missing', [{ provider: 'm3', static: [pool({ nodeTypeSelector: [{ value: 'x' }] })] }], 'nodeTypeSelector[0].property: required'],
    ['value and values', sel({ value: 'a', values: ['b'] }), 'nodeTypeSelector[0]: value and values are mutually exclusive'],
    ['In without values', sel({ operator: 'In' }), 'nodeTypeSelector[0]: operator In requires value or values'],
    ['"" without values', sel({ operator: '' }), 'nodeTypeSelector[0]: operator In requires value or values'],
    ['NotIn with empty list', sel({ operator: 'NotIn', values: [] }), 'nodeTypeSelector[0]: operator NotIn requires value or values'],
    ['Exists with value', sel({ operator: 'Exists', value: 'a' }), 'nodeTypeSelector[0]: operator Exists must not have value or values'],
    ['DoesNotExist with values', sel({ operator: 'DoesNotExist', values: ['a'] }), 'operator DoesNotExist must not have value or values'],
    ['Gt without value', sel({ operator: 'Gt' }), 'nodeTypeSelector[0]: operator Gt requires exactly one value'],
    ['Lt with two values', sel({ operator: 'Lt', values: ['1', '2'] }), 'operator Lt requires exactly one value'],
    ['Gt non-integer', sel({ operator: 'Gt', value: 'big' }), 'nodeTypeSelector[0].value: operator Gt requires an integer'],
    ['bad taint effect', [{ provider: 'm3', static: [pool({ taints: [{ key: 'a', effect: 'Sometimes' }] })] }], 'static[0].taints[0].effect: must be one of'],
    ['bad grace period', [{ provider: 'm3', static: [pool({ terminationGracePeriod: 'soon' })] }], 'static[0].terminationGracePeriod: must be a duration'],
    ['non-string property', [{ provider: 'm3', properties: { a: 1 } }], 'privateNodes.autoNodes[0].properties.a: must be a string'],
    ['taint key not a label key', [{ provider: 'm3', static: [pool({ taints: [{ key: 'bad key', effect: 'NoSchedule' }] })] }], 'static[0].taints[0].key: "bad key" is not a valid label key'],
    ['taint value not a label value', [{ provider: 'm3', static: [pool({ taints: [{ key: 'a', value: 'x/y', effect: 'NoSchedule' }] })] }], 'static[0].taints[0].value: "x/y" is not a valid label value'],
    ['nodeLabels key not a label key', [{ provider: 'm3', static: [pool({ nodeLabels: { 'Team/x': 'a' } })] }], 'static[0].nodeLabels.Team/x: "Team/x" is not a valid label key'],
    ['nodeLabels value not a label value', [{ provider: 'm3', static: [pool({ nodeLabels: { team: 'a b' } })] }], 'static[0].nodeLabels.team: "a b" is not a valid label value'],
    ['nodeLabels value too long', [{ provider: 'm3', static: [pool({ nodeLabels: { team: 'a'.repeat(64) } })] }], 'static[0].nodeLabels.team: "' + 'a'.repeat(64) + '" is not a valid label value'],
  ])('%s', (_name, raw, expected) => {
    const r = validateAutoNodes(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.join('\n')).toContain(expected);
  });

  it('parses the vcluster.yaml string and reports YAML errors on the values field', () => {
    const good = parseAutoNodesFromValues('privateNodes:\n  enabled: true\n  autoNodes:\n  - provider: m3\n    static:\n    - {name: a, quantity: 2}\n');
    expect(good.ok && good.config.entries[0].static[0].quantity).toBe(2);
    const bad = parseAutoNodesFromValues('privateNodes: [unclosed');
    expect(bad.ok ? '' : bad.errors[0]).toMatch(/^spec\.template\.helmRelease\.values: not valid YAML/);
    expect(parseAutoNodesFromValues(undefined)).toEqual({ ok: true, config: { entries: [] } });
  });

  it('refuses autoNodes unless privateNodes.enabled is true', () => {
    const autoNodes = '  autoNodes:\n  - provider: m3\n    static:\n    - {name: a, quantity: 1}\n';
    for (const enabled of ['', '  enabled: false\n', '  enabled: "true"\n']) {
      const r = parseAutoNodesFromValues(`privateNodes:\n${enabled}${autoNodes}`);
      expect(r.ok ? [] : r.errors).toEqual(['privateNodes.enabled: must be true to use privateNodes.autoNodes (auto nodes join as private nodes)']);
    }
    expect(parseAutoNodesFromValues(`privateNodes:\n  enabled: true\n${autoNodes}`).ok).toBe(true);
    expect(parseAutoNodesFromValues('privateNodes:\n  enabled: false\n').ok).toBe(true);
  });

  it('parses Go durations', () => {
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('30')).toBeUndefined();
    expect(parseDurationMs('x30s')).toBeUndefined();
  });
});
