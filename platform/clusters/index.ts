import { ClusterDirectory, type ClusterDirectoryOptions } from './directory.js';

export { ClusterDirectory, DEFAULT_PROBE_INTERVAL_MS, type ClusterDirectoryOptions } from './directory.js';

/** Starts the connected-cluster directory; every Cluster has been read and probed once when this resolves. */
export async function startClusterDirectory(opts: ClusterDirectoryOptions): Promise<ClusterDirectory> {
  const directory = new ClusterDirectory(opts);
  await directory.start();
  return directory;
}
