/**
 * Rendezvous (highest-random-weight) choice: each claim ranks hosts by hash(claimUid, hostName),
 * so concurrent claims seeing the same candidates mostly pick different hosts, and a claim that
 * retries after a crash picks the same host again. One pass, no sort of the fleet.
 */
export function chooseHost<T extends { metadata?: { name?: string } }>(
  candidates: Iterable<T>,
  claimUid: string,
  exclude?: NameFilter,
): T | undefined {
  const choice = new RendezvousChoice<T>(claimUid);
  for (const candidate of candidates) {
    const name = candidate.metadata?.name;
    if (name && !exclude?.has(name)) choice.offer(candidate, name);
  }
  return choice.chosen;
}

/**
 * The highest rendezvous weight offered so far for one claim; ties (astronomically rare) go to the smaller
 * name so the choice stays deterministic. Shared by chooseHost and pickFree's allocation-free walk.
 */
export class RendezvousChoice<T> {
  private readonly weigh: (hostName: string) => number;
  private best: T | undefined;
  private bestWeight = -1;
  private bestName = '';

  constructor(claimUid: string) {
    this.weigh = rendezvousWeights(claimUid);
  }

  offer(candidate: T, name: string): void {
    const weight = this.weigh(name);
    if (weight > this.bestWeight || (weight === this.bestWeight && name < this.bestName)) {
      this.best = candidate;
      this.bestWeight = weight;
      this.bestName = name;
    }
  }

  get chosen(): T | undefined {
    return this.best;
  }
}

/** What a picker asks of the names it must skip (a Set, or a view over several). */
export interface NameFilter {
  has(name: string): boolean;
}

/**
 * A claim's rendezvous weight of a host: `stableHash(claimUid + "\0" + hostName)`, with the claim's part
 * hashed once and no string built per host (the pick's hot loop).
 */
export function rendezvousWeights(claimUid: string): (hostName: string) => number {
  let p1 = 0xdeadbeef;
  let p2 = 0x41c6ce57;
  for (let i = 0; i < claimUid.length; i++) {
    const ch = claimUid.charCodeAt(i);
    p1 = Math.imul(p1 ^ ch, 2654435761);
    p2 = Math.imul(p2 ^ ch, 1597334677);
  }
  p1 = Math.imul(p1, 2654435761); // the "\0" separator (x ^ 0 = x)
  p2 = Math.imul(p2, 1597334677);
  return (hostName) => {
    let h1 = p1;
    let h2 = p2;
    for (let i = 0; i < hostName.length; i++) {
      const ch = hostName.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    return finish(h1, h2);
  };
}

/** A fast, well-mixed 53-bit string hash (cyrb53); deterministic across processes. Not cryptographic. */
export function stableHash(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
