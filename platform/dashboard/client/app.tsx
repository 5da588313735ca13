import { useEffect, useState } from 'preact/hooks';
import { applyFleetDelta, type FleetDelta } from '../fleetDelta.js';
import type { FleetSnapshot } from '../fleetTypes.js';
import { EventList } from './eventList.js';
import { FleetSummary } from './fleetSummary.js';
import { HostTable } from './hostTable.js';
import { openStream, type StreamStatus } from './stream.js';
import { TenantList } from './tenantList.js';
import { TokenForm } from './tokenForm.js';

const TOKEN_KEY = 'metal3-dashboard-token';

export function App() {
  const [token, setToken] = useState<string | undefined>(() => sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  const [snapshot, setSnapshot] = useState<FleetSnapshot | undefined>();
  const [status, setStatus] = useState<StreamStatus>({ kind: 'connecting' });
  const [now, setNow] = useState(Date.now());
  const [visible, setVisible] = useState(document.visibilityState !== 'hidden');

  // A hidden tab lets go of its stream: browsers allow only 6 HTTP/1.1 connections per server, and
  // every open stream holds one. Back in view, the stream reopens and starts with the latest snapshot.
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  useEffect(() => {
    if (!visible) return undefined;
    return openStream('api/stream', token, {
      onEvent: (name, data) => {
        if (name === 'fleet') setSnapshot(JSON.parse(data) as FleetSnapshot);
        // A delta follows the whole snapshot on the same stream; a reconnect starts with a whole one again.
        if (name === 'fleet-delta') {
          const delta = JSON.parse(data) as FleetDelta;
          setSnapshot((prev) => (prev ? applyFleetDelta(prev, delta) : prev));
        }
      },
      onStatus: setStatus,
    });
  }, [token, visible]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const useToken = (next: string) => {
    sessionStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  };
  const refused = status.kind === 'refused';
  return (
    <>
      <a class="skip" href="#hosts-title">Skip to hosts</a>
      <header>
        <h1>Fleet</h1>
        <p class="status" role="status" aria-live="polite" data-status={status.kind}>{describe(status, snapshot)}</p>
        <nav aria-label="Sections">
          <a href="#fleet-title">Fleet</a> <a href="#hosts-title">Hosts</a> <a href="#tenants-title">Tenants</a> <a href="#events-title">Events</a>
        </nav>
      </header>
      <main>
        {refused && <TokenForm status={status.status} message={status.message} hadToken={Boolean(token)} onToken={useToken} />}
        {!refused && !snapshot && <p class="loading">Loading the fleet…</p>}
        {!refused && snapshot && <>
          <FleetSummary rows={snapshot.fleet} />
          <HostTable hosts={snapshot.hosts} />
          <div class="columns">
            <TenantList tenants={snapshot.tenants} now={now} />
            <EventList events={snapshot.events} />
          </div>
        </>}
      </main>
    </>
  );
}

function describe(status: StreamStatus, snapshot: FleetSnapshot | undefined): string {
  switch (status.kind) {
    case 'live': return `Live · ${snapshot ? `${snapshot.hosts.length} hosts, providers: ${snapshot.providers.join(', ') || 'none'}` : 'waiting for the first snapshot'}`;
    case 'connecting': return 'Connecting…';
    case 'retrying': return `Connection lost (${status.why}); retrying in ${Math.round(status.inMs / 1000)}s`;
    case 'refused': return status.status === 401 ? 'A token is required' : 'Access denied';
  }
}
