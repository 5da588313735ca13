import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadPlatformConfig, parsePlatformConfig } from '../../../platform/config.js';
import { REPO_ROOT } from './helpers.js';

describe('platform config', () => {
  it('parses the repository platform.yaml', async () => {
    const config = await loadPlatformConfig(join(REPO_ROOT, 'platform.yaml'));
    expect(config.providers).toEqual([{ name: 'metal3-provider', path: join(REPO_ROOT, 'dist') }]);
    expect(config.options).toMatchObject({ joinTimeoutMs: 3_600_000, tokenTtlSeconds: 14_400, capacityBackoff: { initialMs: 5000, maxMs: 300_000 } });
    expect(config.plugins).toEqual({ drainTimeoutMs: 10_000, versionPollMs: 2000 });
    expect(config.metricsPort).toBe(9464);
    expect(config.dashboard).toEqual({ port: 9465, address: '127.0.0.1' });
  });

  it('turns the dashboard off only when told, and checks its fields', () => {
    const file = '/etc/platform.yaml';
    expect(parsePlatformConfig('{}', file).dashboard).toEqual({ port: 9465, address: '127.0.0.1' });
    expect(parsePlatformConfig('dashboard: {enabled: false}', file).dashboard).toBeUndefined();
    expect(parsePlatformConfig('dashboard: {port: 0, address: 0.0.0.0, requireToken: true}', file).dashboard).toEqual({ port: 0, address: '0.0.0.0', requireToken: true });
    expect(() => parsePlatformConfig('dashboard: {port: -1}', file)).toThrow(`${file}: dashboard.port: must be a port number`);
    expect(() => parsePlatformConfig('dashboard: {address: 5}', file)).toThrow(`${file}: dashboard.address: must be an IP address or host name`);
    expect(() => parsePlatformConfig('dashboard: {requireToken: yes please}', file)).toThrow(`${file}: dashboard.requireToken: must be true or false`);
    expect(() => parsePlatformConfig('dashboard: [1]', file)).toThrow(`${file}: dashboard: must be a mapping`);
  });

  it('names the file and the field of each mistake', () => {
    const file = '/etc/platform.yaml';
    expect(() => parsePlatformConfig('providers: {}', file)).toThrow(`${file}: providers: must be a list`);
    expect(() => parsePlatformConfig('providers: [{name: Bad_Name, path: .}]', file)).toThrow(`${file}: providers[0].name: must be a DNS label`);
    expect(() => parsePlatformConfig('providers: [{name: a, path: .}, {name: a, path: x}]', file)).toThrow(`${file}: providers[1].name: "a" is registered twice`);
    expect(() => parsePlatformConfig('providers: [{name: a}]', file)).toThrow(`${file}: providers[0].path: must be the plugin package folder`);
    expect(() => parsePlatformConfig('platform: {joinTimeout: soon}', file)).toThrow(`${file}: platform.joinTimeout: must be a duration`);
    expect(() => parsePlatformConfig('platform: {capacityBackoff: {initial: 1m, max: 1s}}', file)).toThrow(`${file}: platform.capacityBackoff.max: must not be smaller than initial`);
    expect(() => parsePlatformConfig('metrics: {port: 70000}', file)).toThrow(`${file}: metrics.port: must be a port number`);
    expect(() => parsePlatformConfig('providers: [', file)).toThrow(`${file}: (document): not valid YAML`);
  });

  it('resolves provider paths against the config file folder and accepts compound durations', () => {
    const config = parsePlatformConfig('providers: [{name: p, path: ../plugin}]\nplatform: {joinTimeout: 1h30m, pollInterval: 250}', '/srv/conf/platform.yaml');
    expect(config.providers[0].path).toBe('/srv/plugin');
    expect(config.options.joinTimeoutMs).toBe(5_400_000);
    expect(config.options.pollIntervalMs).toBe(250);
  });
});
