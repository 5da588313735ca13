/**
 * The demo's live view: polls the lab world, prints each notable transition as it happens and a
 * compact status block about once a second (redrawn in place on a terminal), and remembers the
 * timings the summary reports.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { TenantManager } from '../vcluster/index.js';
import { renderBlock, takeSnapshot, transitions, type ClaimView, type LabSnapshot, type PortSource } from './labSnapshot.js';

export interface LiveViewOptions {
  custom: CustomObjectsApi;
  tenants: TenantManager;
  hostNamespace: string;
  /** The clusters holding the BareMetalHosts (one per site); default `custom`'s. */
  hostClusters?: CustomObjectsApi[];
  project: string;
  write: (text: string) => void;
  /** Redraw the block in place (ANSI) instead of appending it. */
  tty: boolean;
  /** The fabric's switch ports, to show which network each host is in. */
  ports?: PortSource;
  pollMs?: number;
  blockEveryMs?: number;
}

export class LiveView {
  /** Last seen state of every claim, including deleted ones. */
  readonly claims = new Map<string, ClaimView>();
  /** Per host: when it left `provisioned` for deprovisioning, and when it was `available` again. */
  readonly releases = new Map<string, { releasedAt: number; returnedAt?: number }>();
  private last: LabSnapshot | undefined;
  private drawnLines = 0;
  private lastBlockAt = 0;
  private lastBlock = '';
  private readonly started = Date.now();
  /** `p-demo-tenant-1` → `tenant-1`: server clusters are named `<project>-<vCluster>`. */
  private readonly networkLabel = (network: string) => network.replace(new RegExp(`^${this.opts.project}-`), '');

  constructor(private readonly opts: LiveViewOptions) {}

  get snapshot(): LabSnapshot | undefined {
    return this.last;
  }

  /** Polls until `done(snapshot)` holds; throws with the current picture once `deadline` passes. */
  async waitUntil(what: string, done: (s: LabSnapshot) => boolean, deadline: number): Promise<LabSnapshot> {
    for (;;) {
      const s = await this.poll();
      if (done(s)) return s;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; last picture:\n${renderBlock(s, this.networkLabel).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 250));
    }
  }

  /** Prints a line above the live block. */
  say(line: string): void {
    this.clearBlock();
    this.opts.write(`${line}\n`);
  }

  private async poll(): Promise<LabSnapshot> {
    const s = await takeSnapshot(this.opts.custom, this.opts.tenants, this.opts.hostNamespace, this.opts.project, this.opts.ports, this.opts.hostClusters);
    const lines = transitions(this.last, s, this.networkLabel);
    this.record(s);
    if (lines.length > 0) {
      this.clearBlock();
      const t = ((s.at - this.started) / 1000).toFixed(1).padStart(5);
      for (const line of lines) this.opts.write(`${t}s  ${line}\n`);
    }
    this.last = s;
    this.drawBlock(s, lines.length > 0);
    return s;
  }

  private record(s: LabSnapshot): void {
    for (const c of s.claims) this.claims.set(c.name, c);
    const before = new Map((this.last?.hosts ?? []).map((h) => [h.name, h.state]));
    for (const h of s.hosts) {
      const old = before.get(h.name);
      if (old === 'provisioned' && h.state !== 'provisioned' && !this.releases.has(h.name)) this.releases.set(h.name, { releasedAt: s.at });
      const release = this.releases.get(h.name);
      if (release && !release.returnedAt && h.state === 'available') release.returnedAt = s.at;
    }
  }

  private drawBlock(s: LabSnapshot, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastBlockAt < (this.opts.blockEveryMs ?? 1000)) return;
    const lines = renderBlock(s, this.networkLabel);
    // Not a terminal (a log): repeat an unchanged block only every 15 s.
    if (!this.opts.tty && !force && lines.join() === this.lastBlock && now - this.lastBlockAt < 15_000) return;
    this.lastBlock = lines.join();
    this.clearBlock();
    this.opts.write(`${lines.join('\n')}\n`);
    this.drawnLines = this.opts.tty ? lines.length : 0;
    this.lastBlockAt = now;
  }

  private clearBlock(): void {
    if (this.drawnLines > 0) this.opts.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }
}

/** `avg 12.3 s (min 11.0, max 14.1) over 4` or `n/a`. */
export function describeDurations(ms: number[], noun: string): string {
  if (ms.length === 0) return 'n/a';
  const s = ms.map((x) => x / 1000);
  const avg = s.reduce((a, b) => a + b, 0) / s.length;
  return `avg ${avg.toFixed(1)} s (min ${Math.min(...s).toFixed(1)}, max ${Math.max(...s).toFixed(1)}) over ${s.length} ${noun}`;
}
