import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap in use after a full collection, in bytes. `gc` is exposed at run time (no node flag needed), so
 * `npm run bench` and the tests under `npm test` measure what is kept, not what the collector has not
 * reached yet.
 */
export function heapUsedAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
