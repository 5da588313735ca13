/**
 * BMO's BareMetalHost webhook rules (internal/webhooks/metal3.io/v1alpha1/baremetalhost_validation.go at the
 * commit in ../shared/upstream/metal3), with its messages: validateHost on create and update, validateChanges
 * on update. Each function returns the messages of the rules the host breaks.
 */
import { inspectionDisabled } from '../annotations.js';
import type { BareMetalHost } from '../types.js';
import { annotationErrors } from './annotationRules.js';
import { bmcDriverFor, parseBmcAddress, type BmcDriver } from './bmcAccess.js';
import { imageErrors } from './imageRules.js';
import { firmwareErrors, raidErrors } from './raidRules.js';

const UUID = /^(urn:uuid:|\{)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/;

/** Go's `net.ParseMAC`: 6, 8 or 20 octets separated by `:` or `-`, or dotted groups of four hex digits. */
function isMac(mac: string): boolean {
  const octets = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2})*$/.test(mac) ? mac.split(/[:-]/).length : 0;
  const dotted = /^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4})*$/.test(mac) ? mac.split('.').length * 2 : 0;
  return [6, 8, 20].includes(octets || dotted);
}

function bmcAccessErrors(host: BareMetalHost, driver: BmcDriver | undefined): string[] {
  if (!driver) return [];
  const s = host.spec;
  const errs: string[] = [];
  if ((s.raid?.hardwareRAIDVolumes?.length ?? 0) > 0 && !driver.supportsRaid) errs.push(`BMC driver ${driver.type} does not support configuring RAID`);
  if ((driver.needsMac || inspectionDisabled(host)) && !s.bootMACAddress) errs.push(`BMC driver ${driver.type} requires a BootMACAddress value`);
  if (s.bootMACAddress && !isMac(s.bootMACAddress)) errs.push(`address ${s.bootMACAddress}: invalid MAC address`);
  if (s.bootMode === 'UEFISecureBoot' && !driver.supportsSecureBoot) errs.push(`BMC driver ${driver.type} does not support secure boot`);
  return errs;
}

function crossNamespaceErrors(host: BareMetalHost): string[] {
  const ns = host.metadata.namespace ?? '';
  return (['userData', 'networkData', 'metaData'] as const)
    .filter((field) => { const ref = host.spec[field]; return !!ref?.namespace && ref.namespace !== ns; })
    .map((field) => `baremetalhosts.metal3.io "${host.metadata.name}" is forbidden: ${field}: cross-namespace Secret references are not allowed`);
}

function nameErrors(name: string): string[] {
  if (/[^A-Za-z0-9._-]/.test(name)) return ['BareMetalHost resource name cannot contain characters other than [A-Za-z0-9._-]'];
  if (UUID.test(name)) return ['BareMetalHost resource name cannot be a UUID'];
  return [];
}

function rootDeviceHintErrors(host: BareMetalHost): string[] {
  const deviceName = host.spec.rootDeviceHints?.deviceName;
  if (!deviceName) return [];
  if (!deviceName.startsWith('/dev/')) return [`device name of root device hint must be a /dev/ path, not "${deviceName}"`];
  const sub = deviceName.slice('/dev/'.length).replace(/^disk\/by-path\//, '');
  return sub.includes('/') ? [`device name of root device hint must be path in /dev/ or /dev/disk/by-path/, not "${deviceName}"`] : [];
}

function inspectionModeErrors(host: BareMetalHost, driver: BmcDriver | undefined): string[] {
  const annotation = host.metadata.annotations?.['inspect.metal3.io'] ?? '';
  const mode = host.spec.inspectionMode ?? '';
  if (annotation !== '' && mode !== '' && (annotation === 'disabled') !== (mode === 'disabled')) {
    return ['inspect.metal3.io annotation and inspectionMode field have contradicting values'];
  }
  if (mode !== '' && !['disabled', 'agent', 'fast'].includes(mode)) {
    return [`invalid inspectionMode value: ${mode}, allowed values are 'disabled', 'agent', or 'fast'`];
  }
  if (mode === 'fast' && driver && !driver.supportsFastInspection) return [`BMC driver ${driver.type} does not support fast (out-of-band) inspection`];
  return [];
}

function powerErrors(host: BareMetalHost): string[] {
  return host.spec.disablePowerOff && !host.spec.online ? ["node can't simultaneously have online set to false and have power off disabled"] : [];
}

function networkInterfaceErrors(host: BareMetalHost): string[] {
  const errs: string[] = [];
  const seen = new Set<string>();
  (host.spec.networkInterfaces ?? []).forEach((iface, i) => {
    if (!iface.name && !iface.macAddress) return void errs.push(`networkInterfaces[${i}]: must specify either name or macAddress`);
    if (iface.name && iface.macAddress) return void errs.push(`networkInterfaces[${i}]: name and macAddress are mutually exclusive`);
    const key = (iface.name || iface.macAddress)!;
    if (seen.has(key.toLowerCase())) errs.push(`networkInterfaces[${i}]: duplicate interface selector for ${JSON.stringify(key)}`);
    seen.add(key.toLowerCase());
  });
  return errs;
}

/** `validateHost`: the rules on every create and update. */
export function validateHost(host: BareMetalHost): string[] {
  const address = host.spec.bmc?.address ?? '';
  const errs: string[] = [];
  let driver: BmcDriver | undefined;
  if (address !== '') {
    const found = bmcDriverFor(address);
    if ('error' in found) errs.push(found.error);
    else driver = found;
  }
  errs.push(...firmwareErrors(host.spec), ...crossNamespaceErrors(host), ...raidErrors(host.spec), ...bmcAccessErrors(host, driver));
  errs.push(...nameErrors(host.metadata.name));
  if (address !== '') {
    const parsed = parseBmcAddress(address);
    if ('error' in parsed) errs.push(parsed.error);
  }
  errs.push(...rootDeviceHintErrors(host), ...imageErrors(host.spec.image), ...annotationErrors(host));
  errs.push(...inspectionModeErrors(host, driver), ...powerErrors(host), ...networkInterfaceErrors(host));
  return errs;
}

/** `validateChanges`: validateHost on the new object plus the rules about what may change. */
export function validateChanges(oldHost: BareMetalHost, newHost: BareMetalHost): string[] {
  const errs = validateHost(newHost);
  const state = (h: BareMetalHost) => h.status?.provisioning?.state ?? '';
  const detached = (h: BareMetalHost) => h.status?.operationalStatus === 'detached';
  const oldAddress = oldHost.spec.bmc?.address ?? '';
  if (oldAddress !== '' && (newHost.spec.bmc?.address ?? '') !== oldAddress && !detached(oldHost) && !detached(newHost)
    && state(oldHost) !== 'registering' && state(newHost) !== 'registering') {
    errs.push('BMC address can not be changed if the BMH is not in the Registering state, or if the BMH is not detached');
  }
  const oldMac = oldHost.spec.bootMACAddress ?? '';
  if (oldMac !== '' && (newHost.spec.bootMACAddress ?? '').toLowerCase() !== oldMac.toLowerCase()) errs.push('bootMACAddress can not be changed once it is set');
  if (!oldHost.spec.externallyProvisioned && newHost.spec.externallyProvisioned && state(oldHost) !== 'available' && state(newHost) !== 'available') {
    errs.push(`externallyProvisioned can only be enabled when in Available state, currently in ${state(oldHost)}`);
  }
  return errs;
}
