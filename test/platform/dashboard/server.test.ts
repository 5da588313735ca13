/**
 * The dashboard's HTTP server over real HTTP, fed from in-memory sources: the snapshot on
 * /api/fleet, the whole snapshot then each change as a `fleet-delta` event on /api/stream (a few hundred
 * bytes for one host of 10,000), read-only, and an open stream ended
 * with a `refused` event once its token no longer passes the access check.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { AccessDecision, DashboardAccess } from '../../../platform/dashboard/access.js';
import { applyFleetDelta, type FleetDelta } from '../../../platform/dashboard/fleetDelta.js';
import { FleetFeed } from '../../../platform/dashboard/fleetFeed.js';
import type { FleetSnapshot } from '../../../platform/dashboard/fleetTypes.js';
import { DashboardServer } from '../../../platform/dashboard/server.js';
import type { MachineView } from '../../../plugin/contract.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { waitFor } from '../../support/waitFor.js';
import { aMachine, PROVIDER } from './builders.js';

interface Started { server: DashboardServer; feed: FleetFeed; url: string; setMachines(m: MachineView[]): void; access: { decision: AccessDecision } }

async function startServer(initial: MachineView[] = [aMachine('gpu-1')]): Promise<Started> {
  let machines = initial;
  const watchers = new Set<() => void>();
  const access = { decision: { allowed: true } as AccessDecision };
  const feed = new FleetFeed({
    providers: { names: () => [PROVIDER], get: () => ({ listMachines: async () => machines }) as never },
    cache: { nodeClaims: () => [], nodeTypes: () => [], watch: (fn) => (watchers.add(fn), () => watchers.delete(fn)) },
    events: { recent: () => [], watch: () => () => undefined },
    clock: { now: () => new Date() }, logger: silentLogger(), debounceMs: 10, tickMs: 60_000,
  });
  await feed.start();
  const gate: DashboardAccess = { check: async () => access.decision };
  const server = new DashboardServer({ feed, access: gate, assets: new Map(), logger: silentLogger(), recheckMs: 50 });
  const url = await server.listen(0, '127.0.0.1');
  return { server, feed, url, access, setMachines: (m) => { machines = m; for (const w of watchers) w(); } };
}

/** Reads `text/event-stream` blocks as they arrive. */
function readStream(res: Response): { events: { name: string; data: string }[]; done: Promise<void> } {
  const events: { name: string; data: string }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name && data) events.push({ name, data });
      }
    }
  })();
  return { events, done };
}

describe('the dashboard server', () => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.server.stop();
    await started?.feed.stop();
    started = undefined;
  });

  it('serves the current snapshot, then streams each change as a delta against it', async () => {
    started = await startServer();
    const snapshot = await (await fetch(`${started.url}api/fleet`)).json() as { hosts: { name: string }[] };
    expect(snapshot.hosts.map((h) => h.name)).toEqual(['gpu-1']);
    const stream = readStream(await fetch(`${started.url}api/stream`));
    await waitFor(() => stream.events.length === 1, { what: 'the first snapshot on the stream' });
    started.setMachines([aMachine('gpu-1', { state: 'provisioning' }), aMachine('gpu-2')]);
    const next = await waitFor(() => stream.events[1], { what: 'a second event' });
    expect([stream.events[0].name, next.name]).toEqual(['fleet', 'fleet-delta']);
    const after = applyFleetDelta(JSON.parse(stream.events[0].data) as FleetSnapshot, JSON.parse(next.data) as FleetDelta);
    expect(after.hosts.map((h) => `${h.name}:${h.state}`)).toEqual(['gpu-1:provisioning', 'gpu-2:available']);
    expect(after).toEqual({ ...started.feed.current(), generatedAt: after.generatedAt });
  });

  it('sends one changed host of 10,000 in a delta of well under a hundredth of the snapshot', async () => {
    const fleet = Array.from({ length: 10_000 }, (_, i) => aMachine(`host-${String(i).padStart(5, '0')}`));
    started = await startServer(fleet);
    const stream = readStream(await fetch(`${started.url}api/stream`));
    await waitFor(() => stream.events.length === 1, { what: 'the first snapshot' });
    started.setMachines(fleet.map((m, i) => (i === 4242 ? { ...m, state: 'provisioning' } : m)));
    const delta = await waitFor(() => stream.events[1], { what: 'the delta' });
    expect(JSON.parse(delta.data)).toMatchObject({ hosts: { upsert: [{ name: 'host-04242', state: 'provisioning' }], remove: [] }, tenants: { upsert: [], remove: [] } });
    expect(delta.data.length).toBeLessThan(stream.events[0].data.length / 100);
  });

  it('sends a stream opened later the whole current snapshot first', async () => {
    started = await startServer();
    started.setMachines([aMachine('gpu-1'), aMachine('gpu-2')]);
    await waitFor(() => started!.feed.current()?.hosts.length === 2, { what: 'the feed to see two hosts' });
    const stream = readStream(await fetch(`${started.url}api/stream`));
    const first = await waitFor(() => stream.events[0], { what: 'the first event' });
    expect(first.name).toBe('fleet');
    expect((JSON.parse(first.data) as FleetSnapshot).hosts.map((h) => h.name)).toEqual(['gpu-1', 'gpu-2']);
  });

  it('is read-only and says when the page is not built', async () => {
    started = await startServer();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${started.url}api/fleet`, { method });
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'GET, HEAD']);
    }
    const page = await fetch(started.url);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('ends an open stream with a refused event once its token no longer passes', async () => {
    started = await startServer();
    const stream = readStream(await fetch(`${started.url}api/stream`, { headers: { Authorization: 'Bearer t' } }));
    await waitFor(() => stream.events.length === 1, { what: 'the first snapshot' });
    started.access.decision = { allowed: false, status: 403, message: 'user "x" may not list nodeclaims.management.loft.sh' };
    await stream.done;
    expect(stream.events.at(-1)).toEqual({ name: 'refused', data: JSON.stringify({ status: 403, error: 'user "x" may not list nodeclaims.management.loft.sh' }) });
    const res = await fetch(`${started.url}api/fleet`, { headers: { Authorization: 'Bearer t' } });
    expect(res.status).toBe(403);
  });
});
