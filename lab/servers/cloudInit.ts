/**
 * What cloud-init does on a simulated server before its scripts run, applied into the sandbox:
 * hostname and /etc/hosts (every boot), ssh keys and write_files (once per instance), the kubelet
 * heartbeat setting the lab hardware provides, and the generated bootcmd/runcmd/boot scripts.
 */
import { access, appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BOOT_SCRIPT_PATH, BOOTCMD_PATH, commandScript, renderBootScript, RUNCMD_PATH } from './bootScript.js';
import type { CloudConfig } from './cloudConfig.js';
import type { ConsoleLog } from './consoleLog.js';
import type { Sandbox } from './sandbox.js';
import { LAB_KUBELET_ENV_PATH } from '../vcluster/standins.js';

export interface ApplyOptions {
  sandbox: Sandbox;
  config: CloudConfig;
  instanceId: string;
  console: ConsoleLog;
  heartbeatMs: number;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function put(path: string, content: string | Buffer, mode: number, append = false): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (append) await appendFile(path, content);
  else await writeFile(path, content);
  await chmod(path, mode);
}

/** Prepares the sandbox for a boot; the caller then runs BOOT_SCRIPT_PATH. */
export async function applyCloudConfig(opts: ApplyOptions): Promise<void> {
  const { sandbox, config, console: log } = opts;
  await sandbox.prepareBoot();
  if (config.hostname) {
    log.write(`cloud-init: set hostname ${config.hostname}`);
    await put(sandbox.hostPath('/etc/hostname'), `${config.hostname}\n`, 0o644);
    await put(sandbox.hostPath('/etc/hosts'), `127.0.0.1 localhost\n127.0.1.1 ${config.hostname}\n::1 localhost ip6-localhost\n`, 0o644);
  }
  const semaphore = sandbox.hostPath(`/var/lib/cloud/instances/${opts.instanceId}/sem/config_write_files`);
  if (await exists(semaphore)) {
    log.write(`cloud-init: instance ${opts.instanceId} already configured: keys and write_files not applied again`);
  } else {
    for (const [user, keys] of config.authorizedKeys) {
      const home = user === 'root' ? '/root' : `/home/${user}`;
      await put(sandbox.hostPath(`${home}/.ssh/authorized_keys`), `${keys.join('\n')}\n`, 0o600);
      log.write(`cloud-init: ${keys.length} ssh authorized key(s) for user ${user}`);
    }
    const ordered = [...config.writeFiles.filter((f) => !f.defer), ...config.writeFiles.filter((f) => f.defer)];
    for (const file of ordered) {
      if (!sandbox.isMapped(file.path)) log.write(`cloud-init: WARNING write_files ${file.path} is outside the sandboxed directories; commands will not see it`);
      await put(sandbox.hostPath(file.path), file.content, file.mode, file.append);
      log.write(`cloud-init: write_files ${file.path} (${file.content.length} bytes, mode ${file.mode.toString(8)}${file.append ? ', appended' : ''})`);
    }
    await put(semaphore, '', 0o644);
  }
  await put(sandbox.hostPath(LAB_KUBELET_ENV_PATH), `KUBELET_HEARTBEAT_MS=${opts.heartbeatMs}\n`, 0o644);
  await put(sandbox.hostPath(BOOTCMD_PATH), config.bootcmd.length ? commandScript(config.bootcmd) : '', 0o700);
  await put(sandbox.hostPath(RUNCMD_PATH), commandScript(config.runcmd), 0o700);
  await put(sandbox.hostPath(BOOT_SCRIPT_PATH), renderBootScript({ instanceId: opts.instanceId, mode: sandbox.mode }), 0o700);
}
