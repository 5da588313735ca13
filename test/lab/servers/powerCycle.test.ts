/**
 * A power cycle (off then on, as BMO's reboot annotation does) is a reboot even when it arrives while
 * the previous boot is still running: that boot ends and a new one starts. The boot is held at a
 * point it cannot be interrupted (reading its network data Secret) so the cycle lands mid-boot every
 * time, whatever the machine's load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLog } from '../../../lab/servers/consoleLog.js';
import { CONSOLE_FILE, Sandbox } from '../../../lab/servers/sandbox.js';
import { SimulatedServer, type HostView, type ServerStatus } from '../../../lab/servers/server.js';
import { waitFor } from '../../support/waitFor.js';

const HOST = 'cycled-host';
/** No user data: a boot ends Running ("no user data") without starting any process. */
const provisioned = (poweredOn: boolean): HostView => ({
  uid: 'uid-cycled', state: 'provisioned', poweredOn, nics: [], networkData: { name: 'cycled-network-data' },
});

/** A Secret read that only answers when the test says so. */
function heldSecretReads() {
  const waiting: (() => void)[] = [];
  return {
    read: () => new Promise<undefined>((resolve) => waiting.push(() => resolve(undefined))),
    pending: () => waiting.length,
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

describe('a simulated server power-cycled while it boots', () => {
  let rootDir: string;
  let server: SimulatedServer;
  let console: ConsoleLog;
  let reads: ReturnType<typeof heldSecretReads>;
  const phases: ServerStatus['phase'][] = [];

  beforeEach(async () => {
    rootDir = await mkdtemp(join(tmpdir(), 'power-cycle-'));
    const sandbox = new Sandbox(rootDir, HOST, 'prefix');
    console = new ConsoleLog(sandbox.hostPath(`/${CONSOLE_FILE}`));
    reads = heldSecretReads();
    phases.length = 0;
    server = new SimulatedServer({
      host: HOST, namespace: 'metal3', sandbox, console, runner: { kind: 'builtin', reason: 'chosen by the test' },
      readSecretKey: reads.read, bootDelayMs: 0, heartbeatMs: 1000,
      onStatus: (status) => phases.push(status.phase),
    });
  });

  afterEach(async () => {
    reads.releaseAll();
    await server.shutdown();
    await console.flush();
    await rm(rootDir, { recursive: true, force: true });
  });

  const bootHeld = (boot: number) => waitFor(() => server.status.bootCount === boot && reads.pending() === 1,
    { what: `boot ${boot} reading its network data` });

  it('ends the running boot and boots again when an off and an on arrive before the boot finished', async () => {
    server.update(provisioned(true));
    await bootHeld(1);

    server.update(provisioned(false));
    server.update(provisioned(true));
    reads.releaseAll();
    await bootHeld(2);
    reads.releaseAll();
    await server.settled();

    expect(server.status).toMatchObject({ bootCount: 2, phase: 'Running', message: 'no user data' });
    expect(phases).toEqual(['Booting', 'PoweredOff', 'Booting', 'Running']);
    expect(console.text()).toMatch(/Power on \(boot 1\)[\s\S]*Power off: all processes stopped[\s\S]*Power on \(boot 2\)/);
  });

  it('boots just once more, however many cycles arrive during one boot', async () => {
    server.update(provisioned(true));
    await bootHeld(1);

    for (let cycle = 0; cycle < 3; cycle++) {
      server.update(provisioned(false));
      server.update(provisioned(true));
    }
    reads.releaseAll();
    await bootHeld(2);
    reads.releaseAll();
    await server.settled();

    // The cycles that arrived while one boot was held are one reboot: what matters is that the server ends up freshly booted.
    expect(server.status).toMatchObject({ bootCount: 2, phase: 'Running' });
  });

  it('stays off when the last word during the boot was off', async () => {
    server.update(provisioned(true));
    await bootHeld(1);

    server.update(provisioned(false));
    server.update(provisioned(true));
    server.update(provisioned(false));
    reads.releaseAll();
    await server.settled();

    expect(server.status).toMatchObject({ bootCount: 1, phase: 'PoweredOff' });
    expect(reads.pending()).toBe(0);
  });
});
