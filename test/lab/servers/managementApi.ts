/**
 * Starts the lab's management API for these tests with the lab CRDs. Works around a lab/kube
 * pruning bug (as of 316ab31..c03f9ac): a CRD schema declaring `metadata: {type: object}` makes the
 * emulator prune name/namespace/uid from created objects, so that root `metadata` line is dropped
 * from a copy of the CRDs. Remove this helper once lab/kube keeps root metadata unpruned.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCrdDir, startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';

export async function startManagementApi(): Promise<KubeApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-crds-'));
  try {
    const source = defaultCrdDir();
    for (const file of (await readdir(source)).filter((f) => f.endsWith('.yaml'))) {
      const text = await readFile(join(source, file), 'utf8');
      await writeFile(join(dir, file), text.replace(/\n {12}metadata: \{type: object\}\n/, '\n'));
    }
    return await startKubeApi({ port: 0, loadDefaultCrds: false, crdDirs: [dir] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
