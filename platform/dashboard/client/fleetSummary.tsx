import type { FleetRow } from '../fleetTypes.js';

/** Fleet by site and node type: total, claimed, free and hosts by provisioning state. */
export function FleetSummary({ rows }: { rows: FleetRow[] }) {
  return (
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title">Fleet by site and node type</h2>
      <div class="scroll" tabIndex={0} role="region" aria-labelledby="fleet-title">
        <table class="fleet">
          <thead>
            <tr>
              <th scope="col">Site</th>
              <th scope="col">Node type</th>
              <th scope="col" class="num">Total</th>
              <th scope="col" class="num">Claimed</th>
              <th scope="col" class="num">Free</th>
              <th scope="col">Hosts by state</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={6}>No node types yet.</td></tr>}
            {rows.map((r) => (
              <tr key={`${r.site}/${r.nodeType}`} data-node-type={r.nodeType}>
                <td>{r.site}</td>
                <th scope="row">
                  {r.displayName ?? r.nodeType}
                  {r.displayName && <div class="sub">{r.nodeType}</div>}
                </th>
                <td class="num" data-col="total">{r.total}</td>
                <td class="num" data-col="claimed">{r.claimed}</td>
                <td class="num" data-col="free">{r.free}</td>
                <td>
                  <ul class="states">
                    {Object.entries(r.byState).sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => (
                      <li key={state}><span class="state-name">{state}</span> <span class="count">{n}</span></li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
