import { useState } from 'preact/hooks';
import type { HostRow } from '../fleetTypes.js';
import { StateBadge } from './badge.js';

/** Every host: state, power, tenant and claim, node type, network, error. Filterable by any text. */
export function HostTable({ hosts }: { hosts: HostRow[] }) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? hosts.filter((h) => [h.name, h.site, h.nodeType, h.state, h.tenant, h.claim?.name, h.claim?.phase, h.network, h.error?.type, h.error?.message]
        .some((v) => v?.toLowerCase().includes(needle)))
    : hosts;
  const hasNetwork = hosts.some((h) => h.network);
  return (
    <section aria-labelledby="hosts-title">
      <h2 id="hosts-title">Hosts <span class="count-note">({shown.length} of {hosts.length})</span></h2>
      <label class="filter">
        Filter hosts
        <input type="search" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          placeholder="name, state, tenant, error…" />
      </label>
      <div class="scroll" tabIndex={0} role="region" aria-labelledby="hosts-title">
        <table class="hosts">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">State</th>
              <th scope="col">Power</th>
              <th scope="col">Tenant / claim</th>
              <th scope="col">Node type</th>
              <th scope="col">Site</th>
              {hasNetwork && <th scope="col">Network</th>}
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && <tr><td colSpan={hasNetwork ? 8 : 7}>No hosts match.</td></tr>}
            {shown.map((h) => (
              <tr key={`${h.provider}/${h.namespace}/${h.name}`} data-host={h.name} class={h.error ? 'row-error' : undefined}>
                <th scope="row">{h.name}</th>
                <td data-col="state"><StateBadge state={h.state} error={h.error} /></td>
                <td data-col="power">{h.poweredOn ? 'on' : 'off'}</td>
                <td data-col="claim">
                  {h.claim ? <>
                    <div>{h.tenant}</div>
                    <div class="sub">{h.claim.name} · {h.claim.phase}</div>
                  </> : <span class="sub">free</span>}
                </td>
                <td data-col="node-type">{h.nodeType ?? '–'}</td>
                <td>{h.site}</td>
                {hasNetwork && <td data-col="network">{h.network ?? '–'}{h.vlanId !== undefined && <div class="sub">VLAN {h.vlanId}</div>}</td>}
                <td data-col="error">
                  {h.error ? <><strong>{h.error.type}</strong><div class="error-message">{h.error.message}</div></> : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
