/**
 * Liveness and readiness, served beside `/metrics`: `/healthz` answers 200 while the process serves
 * HTTP; `/readyz` answers 200 once every readiness check passes (plugins loaded, informers synced),
 * else 503 naming what is not ready. Kubelet probes these (deploy/deployment.yaml).
 */
export type ReadinessCheck = () => string | undefined;

export class HealthChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** `check` answers undefined when ready, else why not. */
  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** What is not ready yet ("<check>: <why>"); empty when ready. A check that throws is not ready. */
  notReady(): string[] {
    const out: string[] = [];
    for (const [name, check] of this.checks) {
      let why: string | undefined;
      try {
        why = check();
      } catch (err) {
        why = (err as Error).message;
      }
      if (why !== undefined) out.push(`${name}: ${why}`);
    }
    return out;
  }
}

/** Answers a probe path; undefined for any other path. */
export function probeAnswer(path: string, health: HealthChecks): { status: number; body: string } | undefined {
  if (path === '/healthz' || path === '/livez') return { status: 200, body: 'ok\n' };
  if (path !== '/readyz') return undefined;
  const failing = health.notReady();
  return failing.length ? { status: 503, body: `not ready:\n${failing.join('\n')}\n` } : { status: 200, body: 'ok\n' };
}
