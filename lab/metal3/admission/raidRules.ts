/** `spec.raid` and `spec.firmware` as BMO's webhook checks them (validateRAID, the Firmware refusal). */
import type { BareMetalHostSpec } from '../types.js';

export function raidErrors(spec: BareMetalHostSpec): string[] {
  const raid = spec.raid;
  if (!raid) return [];
  const errs: string[] = [];
  const hardware = raid.hardwareRAIDVolumes ?? [];
  const software = raid.softwareRAIDVolumes ?? [];
  if (hardware.length > 0 && software.length > 0) errs.push('hardwareRAIDVolumes and softwareRAIDVolumes can not be set at the same time');
  hardware.forEach((volume, index) => {
    const disks = volume.physicalDisks ?? [];
    if (disks.length > 0 && !volume.controller) errs.push(`'physicalDisks' specified without 'controller' in hardware RAID volume ${index}`);
    if (volume.numberOfPhysicalDisks !== undefined && disks.length > 0 && volume.numberOfPhysicalDisks !== disks.length) {
      errs.push(`the 'numberOfPhysicalDisks'[${volume.numberOfPhysicalDisks}] and number of 'physicalDisks'[${disks.length}] is not same for volume ${index}`);
    }
  });
  const roots = software.filter((v) => v.rootVolume).length;
  if (roots > 1) errs.push('softwareRAIDVolumes[*].rootVolume can only be set once');
  if (roots === 1 && spec.rootDeviceHints) errs.push('softwareRAIDVolumes[*].rootVolume and rootDeviceHints can not be set at the same time');
  software.forEach((volume, index) => {
    if (volume.rootVolume && volume.level !== '1') errs.push(`softwareRAIDVolumes[${index}] with rootVolume set must use RAID level 1`);
  });
  return errs;
}

export function firmwareErrors(spec: BareMetalHostSpec): string[] {
  return spec.firmware ? ['the Firmware field is no longer supported, use HostFirmwareSettings resource instead'] : [];
}
