/** Bench profiles and command-line options. `--quick` (default) is CI-sized; `--full` runs the whole matrix. */
export interface BenchOptions {
  profile: 'quick' | 'full';
  fleets: number[];
  bursts: number[];
  /** createNode calls in flight at once for the plugin. */
  concurrency: number;
  /** In flight for the baseline: CAPM3's `--metal3machine-concurrency` default. */
  baselineConcurrency: number;
  /** The baseline burst is cut to this many claims (per-node figures stay comparable; wall time is scaled). */
  baselineMaxClaims: number;
  latencyMs: number;
  renderSeconds: number;
  out?: string;
  json?: string;
  /** Folder for a `.cpuprofile` of each measured burst (burst only, not setup). */
  cpuProfDir?: string;
  /** Run only the dynamic-pool scenario (`--dynamic-only`). */
  dynamicOnly?: boolean;
  /** Run only the multi-site scenario (`--sites`; also part of `--full`). */
  sitesOnly?: boolean;
  /** Multi-site scenario sizes (`--site-count`, `--site-hosts`, `--site-claims`); default 3 × 10,000 hosts, 3,000 claims. */
  siteCount?: number;
  siteHosts?: number;
  siteClaims?: number;
}

const PROFILES: Record<BenchOptions['profile'], Omit<BenchOptions, 'profile' | 'out' | 'json' | 'cpuProfDir' | 'dynamicOnly' | 'sitesOnly' | 'siteCount' | 'siteHosts' | 'siteClaims'>> = {
  quick: { fleets: [1000], bursts: [100], concurrency: 100, baselineConcurrency: 10, baselineMaxClaims: 100, latencyMs: 2, renderSeconds: 1 },
  full: { fleets: [1000, 10000], bursts: [100, 1000], concurrency: 100, baselineConcurrency: 10, baselineMaxClaims: 100, latencyMs: 2, renderSeconds: 3 },
};

const NUMERIC: Record<string, keyof BenchOptions> = {
  '--concurrency': 'concurrency',
  '--baseline-concurrency': 'baselineConcurrency',
  '--baseline-max-claims': 'baselineMaxClaims',
  '--latency': 'latencyMs',
  '--site-count': 'siteCount',
  '--site-hosts': 'siteHosts',
  '--site-claims': 'siteClaims',
};

export function parseArgs(argv: string[]): BenchOptions {
  const profile = argv.includes('--full') ? 'full' : 'quick';
  const opts: BenchOptions = { profile, ...PROFILES[profile] };
  const list = (value: string, flag: string) => value.split(',').map((v) => positiveInt(v, flag));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${arg} needs a value`);
      return v;
    };
    if (arg === '--quick' || arg === '--full') continue;
    else if (arg === '--dynamic-only') opts.dynamicOnly = true;
    else if (arg === '--sites') opts.sitesOnly = true;
    else if (arg === '--out') opts.out = value();
    else if (arg === '--json') opts.json = value();
    else if (arg === '--cpu-prof-dir') opts.cpuProfDir = value();
    else if (arg === '--fleets') opts.fleets = list(value(), arg);
    else if (arg === '--bursts') opts.bursts = list(value(), arg);
    else if (NUMERIC[arg]) (opts[NUMERIC[arg]!] as number) = arg === '--latency' ? nonNegative(value(), arg) : positiveInt(value(), arg);
    else throw new Error(`bench: unknown option ${arg} (known: --quick --full --dynamic-only --sites --out FILE --json FILE --cpu-prof-dir DIR --fleets N,N --bursts N,N ${Object.keys(NUMERIC).join(' ')})`);
  }
  return opts;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bench: ${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function nonNegative(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`bench: ${flag} must be a number >= 0, got ${JSON.stringify(text)}`);
  return n;
}
