/** The real platform's rule: a pool's provider cannot change while the pool has NodeClaims. */
import { LABEL_POOL, LABEL_PROVIDER, type NodeClaim } from '../nodeClaims/types.js';
import type { AutoNodesConfig } from './config.js';

/** One error per pool whose existing claims belong to another provider than the config now names. */
export function providerChangeErrors(config: AutoNodesConfig, claims: NodeClaim[]): string[] {
  const errors: string[] = [];
  config.entries.forEach((entry, i) => {
    for (const pool of [...entry.static, ...entry.dynamic]) {
      const other = claims.find((c) => c.metadata.labels?.[LABEL_POOL] === pool.name && (c.metadata.labels?.[LABEL_PROVIDER] ?? c.spec?.providerRef) !== entry.provider);
      if (!other) continue;
      const was = other.metadata.labels?.[LABEL_PROVIDER] ?? other.spec?.providerRef;
      errors.push(`privateNodes.autoNodes[${i}].provider: pool "${pool.name}" has NodeClaims of provider "${was}"; ` +
        `its provider cannot change to "${entry.provider}" while it has NodeClaims (scale it to 0 or remove it first)`);
    }
  });
  return errors;
}
