import { describe, expect, it } from '@jest/globals';
import { environmentName, mergeProperties, PROPERTY, propertyField } from '../../providers/metal3/properties.js';

describe('mergeProperties', () => {
  it('lets the most specific layer win, key by key, and records who set each key', () => {
    const { properties, origin } = mergeProperties([
      { source: 'NodeProvider metal3-provider', properties: { a: 'provider', b: 'provider', c: 'provider' } },
      { source: 'NodeType gpu', properties: { b: 'type', c: 'type' } },
      { source: 'NodeEnvironment p-a/env', properties: { c: 'env' } },
      { source: 'NodeClaim p-a/claim-1', properties: { d: 'claim' } },
    ]);
    expect(properties).toEqual({ a: 'provider', b: 'type', c: 'env', d: 'claim' });
    expect(origin).toEqual({
      a: 'NodeProvider metal3-provider',
      b: 'NodeType gpu',
      c: 'NodeEnvironment p-a/env',
      d: 'NodeClaim p-a/claim-1',
    });
  });

  it('accepts layers without properties and an empty list', () => {
    expect(mergeProperties([{ source: 'x' }])).toEqual({ properties: {}, origin: {} });
    expect(mergeProperties([])).toEqual({ properties: {}, origin: {} });
  });

  it('keeps an explicit empty string from a more specific layer (it overrides)', () => {
    const { properties } = mergeProperties([
      { source: 'p', properties: { k: 'v' } },
      { source: 'c', properties: { k: '' } },
    ]);
    expect(properties.k).toBe('');
  });
});

describe('environmentName', () => {
  it.each([
    [{ [PROPERTY.networkEnvironment]: 'from-property' }, 'from-ref', 'from-property'],
    [{}, 'from-ref', 'from-ref'],
    [{ [PROPERTY.networkEnvironment]: '  ' }, 'from-ref', 'from-ref'],
    [{}, undefined, undefined],
    [{}, '', undefined],
    [{ [PROPERTY.networkEnvironment]: ' padded ' }, undefined, 'padded'],
  ])('%j with environmentRef %j -> %j', (merged, ref, expected) => {
    expect(environmentName(merged, ref)).toBe(expected);
  });
});

describe('propertyField', () => {
  it('spells the field the way errors show it', () => {
    expect(propertyField(PROPERTY.networkCidr)).toBe('spec.properties["metal3.vcluster.com/network-cidr"]');
  });
});
