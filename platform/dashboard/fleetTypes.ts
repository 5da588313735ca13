/**
 * What the dashboard page receives: one FleetSnapshot per change, as JSON (`/api/fleet` and the
 * `fleet` events of `/api/stream`). Plain data shared by the server and the page; it never carries
 * Secrets, tokens or user data.
 */

export interface FleetSnapshot {
  /** ISO time the snapshot was built. */
  generatedAt: string;
  /** Registered provider names. */
  providers: string[];
  fleet: FleetRow[];
  hosts: HostRow[];
  tenants: TenantRow[];
  events: EventRow[];
}

/** One node type in one site: how many hosts, how many claimed and free, and hosts by state. */
export interface FleetRow {
  site: string;
  /** NodeType object name, `<provider>.<type>`. */
  nodeType: string;
  displayName?: string;
  total: number;
  claimed: number;
  free: number;
  /** Provisioning state (verbatim) -> number of hosts. */
  byState: Record<string, number>;
}

export interface HostRow {
  provider: string;
  name: string;
  namespace?: string;
  site: string;
  /** NodeType object name, when the host matches a type. */
  nodeType?: string;
  state: string;
  poweredOn: boolean;
  /** The NodeClaim holding the host. */
  claim?: { name: string; namespace: string; phase: string };
  /** `<project namespace>/<vCluster>` of that claim. */
  tenant?: string;
  network?: string;
  vlanId?: number;
  error?: { type: string; message: string };
}

export interface TenantRow {
  /** `<project namespace>/<vCluster>`; `<namespace>/(none)` for claims of no cluster. */
  key: string;
  namespace: string;
  name: string;
  claims: ClaimRow[];
}

export interface ClaimRow {
  name: string;
  namespace: string;
  nodeType?: string;
  /** Pending, Available, Failed; Deleting while the claim is being deleted. */
  phase: string;
  reason?: string;
  message?: string;
  host?: string;
  createdAt?: string;
  /** The step the claim is in (the first of Scheduled, Launched, Provisioned, Joined not yet True; Deleting) and since when. */
  step: { name: string; since?: string };
  conditions: ConditionRow[];
}

export interface ConditionRow {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface EventRow {
  at: string;
  type: 'Normal' | 'Warning';
  reason: string;
  /** `Kind namespace/name`. */
  object: string;
  message: string;
  count: number;
}
