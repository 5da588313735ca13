import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INSTALL = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cloud-init netplan.io shellcheck';

/** Fails (never skips) when a validator is missing, saying how to install it. */
export function requireTool(command: string, aptPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`${command} is not installed; install package ${aptPackage} (touch /etc/cloud/cloud-init.disabled first): ${INSTALL}`);
  }
}

export interface ToolResult { status: number | null; output: string }

function run(command: string, args: string[], input?: string): ToolResult {
  const r = spawnSync(command, args, { encoding: 'utf8', input, timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** `cloud-init schema --config-file F`: exit 0 for a valid #cloud-config. */
export function cloudInitSchema(dir: string, name: string, userData: string): ToolResult {
  requireTool('cloud-init', 'cloud-init');
  const file = path.join(dir, name);
  writeFileSync(file, userData);
  return run('cloud-init', ['schema', '--config-file', file]);
}

/** `shellcheck -s bash -` on a script or a one-line command. */
export function shellcheck(script: string): ToolResult {
  requireTool('shellcheck', 'shellcheck');
  return run('shellcheck', ['-s', 'bash', '-'], script);
}

/** `netplan generate --root-dir D` with the YAML as /etc/netplan/50-metal3.yaml: strict, offline. */
export function netplanGenerate(dir: string, name: string, yaml: string): ToolResult {
  requireTool('netplan', 'netplan.io');
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'etc', 'netplan'), { recursive: true });
  const file = path.join(root, 'etc', 'netplan', '50-metal3.yaml');
  writeFileSync(file, yaml);
  chmodSync(file, 0o600);
  return run('netplan', ['generate', '--root-dir', root]);
}
