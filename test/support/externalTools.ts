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

/**
 * What cloud-init reads from each text: its own loader (`cloudinit.safeyaml.load`), run by the
 * Python cloud-init runs with, one process for the batch. A text it refuses comes back as
 * `{ error: <exception class> }`.
 */
export function cloudInitYamlLoad(texts: string[]): unknown[] {
  requireTool('cloud-init', 'cloud-init');
  const launcher = spawnSync('sh', ['-c', 'head -n 1 "$(command -v cloud-init)"'], { encoding: 'utf8' }).stdout;
  const python = /^#!\s*(\S+)/.exec(launcher)?.[1] ?? 'python3';
  const script = [
    'import json, sys',
    'from cloudinit import safeyaml',
    'out = []',
    'for text in json.load(sys.stdin):',
    '    try:',
    '        out.append(safeyaml.load(text))',
    '    except Exception as e:',
    "        out.append({'error': type(e).__name__})",
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', input: JSON.stringify(texts), timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${python} (cloudinit.safeyaml) failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
  return JSON.parse(r.stdout) as unknown[];
}
