import type { TenantRow } from '../fleetTypes.js';
import { StateBadge } from './badge.js';
import { since } from './format.js';

/** Tenants with their claims: phase, reason, conditions, age and time in the current step. */
export function TenantList({ tenants, now }: { tenants: TenantRow[]; now: number }) {
  return (
    <section aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants and claims</h2>
      {tenants.length === 0 && <p>No NodeClaims.</p>}
      {tenants.map((t) => (
        <div class="tenant" key={t.key} data-tenant={t.key}>
          <h3>{t.name} <span class="sub">in {t.namespace} · {t.claims.length} {t.claims.length === 1 ? 'claim' : 'claims'}</span></h3>
          <div class="scroll" tabIndex={0} role="region" aria-label={`claims of ${t.key}`}>
            <table class="claims">
              <thead>
                <tr>
                  <th scope="col">Claim</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Step</th>
                  <th scope="col">In step</th>
                  <th scope="col">Age</th>
                  <th scope="col">Host</th>
                  <th scope="col">Conditions</th>
                </tr>
              </thead>
              <tbody>
                {t.claims.map((c) => (
                  <tr key={`${c.namespace}/${c.name}`} data-claim={c.name}>
                    <th scope="row">{c.name}<div class="sub">{c.nodeType ?? 'unscheduled'}</div></th>
                    <td data-col="phase">
                      <StateBadge state={c.phase} />
                      {c.reason && <div class="reason"><strong>{c.reason}</strong>{c.message ? `: ${c.message}` : ''}</div>}
                    </td>
                    <td data-col="step">{c.step.name}</td>
                    <td>{since(c.step.since, now)}</td>
                    <td>{since(c.createdAt, now)}</td>
                    <td>{c.host ?? '–'}</td>
                    <td>
                      <details>
                        <summary>{c.conditions.filter((x) => x.status === 'True').length} of {c.conditions.length} true</summary>
                        <ul class="conditions">
                          {c.conditions.map((x) => (
                            <li key={x.type}>
                              <span class="cond-type">{x.type}</span> <StateBadge state={x.status} />
                              {x.reason && <> {x.reason}</>}{x.message && <span class="sub"> — {x.message}</span>}
                            </li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}
