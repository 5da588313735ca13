/**
 * Boots a simulated server with Debian's real cloud-init, as a Metal3 host boots its installed image:
 *
 * - a copy-on-write root: an overlay of `/` (upper layer = the server's sandbox folder, so what the
 *   server writes persists across its reboots and is wiped on deprovision), in a private mount, UTS
 *   and network namespace, chrooted, with its own /proc, /sys (of its network namespace), /dev,
 *   and /run and /tmp from the sandbox (fresh per boot);
 * - the config drive Ironic writes, seeded where cloud-init's ConfigDrive datasource reads it;
 * - one NIC per BareMetalHost NIC, carrying its MAC address (a veth whose peer stays in the
 *   namespace), so cloud-init matches network_data.json links by MAC and writes netplan;
 * - every cloud-init stage in boot order (`init --local`, `init`, `modules --mode config`, then the
 *   enabled systemd units as multi-user.target would start them, `modules --mode final`);
 * - the tenant endpoints the user data names, reachable on the server's loopback (LoopbackBridge).
 *
 * Each stage's output goes to the console; `lab-boot:` lines report stage results and times. A
 * failed stage ends the boot with its exit code, like a server whose cloud-init failed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../vcluster/joinScript.js';
import { NETNS_FORWARDER } from './loopbackBridge.js';

const run = promisify(execFile);

export const CLOUD_INIT = '/usr/bin/cloud-init';
/** PATH of every process in the server: the lab's shims (systemctl, udevadm, ...) first. */
export const SERVER_PATH = '/run/sim/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The lab's cloud-init settings, as an image builder would bake them into /etc/cloud/cloud.cfg.d. */
export const LAB_CLOUD_CFG_PATH = '/etc/cloud/cloud.cfg.d/90-metal3-lab.cfg';
export const LAB_CLOUD_CFG = [
  '# Written by the lab (lab/servers/realBoot.ts): a Metal3 host reads its config drive only.',
  'datasource_list: [ConfigDrive]',
  '# The image ships no extra locales and no ssh server: skip what would only warn about that',
  '# ("false" as a string: cloud-init reads it as off, and its schema wants a string).',
  'locale: "false"',
  'no_ssh_fingerprints: true',
  'ssh_genkeytypes: [ed25519]',
  '',
].join('\n');

/** Marks a sandbox whose image was prepared (first boot done). */
const IMAGE_MARK = '/etc/metal3-lab-image';
/** Where cloud-init's netplan renderer writes the network configuration. */
export const CLOUD_INIT_NETPLAN = '/etc/netplan/50-cloud-init.yaml';

export const STAGES: { name: string; args: string[] }[] = [
  { name: 'init-local', args: ['init', '--local'] },
  { name: 'init', args: ['init'] },
  { name: 'modules:config', args: ['modules', '--mode', 'config'] },
  { name: 'modules:final', args: ['modules', '--mode', 'final'] },
];

export interface Nic {
  name: string;
  mac: string;
}

export interface RealBootPlan {
  /** Upper layer of the overlay: the sandbox folder. */
  upper: string;
  work: string;
  merged: string;
  /** Fresh per boot, bind-mounted at /run and /tmp. */
  run: string;
  tmp: string;
  nics: Nic[];
  bridge: { dir: string; ports: number[] };
}

/** cloud-init on this machine, or why the real runner cannot be used. */
export type CloudInitRunner = { kind: 'cloud-init'; version: string } | { kind: 'builtin'; reason: string };

export function describeRunner(runner: CloudInitRunner): string {
  return runner.kind === 'cloud-init'
    ? `Debian cloud-init ${runner.version} (ConfigDrive datasource, copy-on-write root, own network namespace)`
    : `the lab's built-in cloud-config interpreter (${runner.reason})`;
}

/** Probes once: cloud-init installed, and a network namespace with a veth and an overlay of / can be made. */
export async function detectCloudInit(): Promise<CloudInitRunner> {
  let version: string;
  try {
    const { stdout, stderr } = await run(CLOUD_INIT, ['--version'], { timeout: 20_000 });
    version = (`${stdout}${stderr}`.match(/\d+\.\d+(\.\d+)?/) ?? ['unknown'])[0];
  } catch {
    return { kind: 'builtin', reason: `${CLOUD_INIT} not installed` };
  }
  const probe = await mkdtemp(join(tmpdir(), 'cloud-init-probe-'));
  try {
    await Promise.all(['up', 'work', 'merged'].map((d) => mkdir(join(probe, d))));
    const script = [
      'set -e',
      'ip link add lab-probe0 type veth peer name lab-probe1',
      `mount -t overlay lab-probe -o ${shellQuote(`lowerdir=/,upperdir=${probe}/up,workdir=${probe}/work`)} ${shellQuote(`${probe}/merged`)}`,
      `test -x ${shellQuote(`${probe}/merged${CLOUD_INIT}`)}`,
    ].join('\n');
    await run('unshare', ['--mount', '--uts', '--net', '--propagation', 'private', 'bash', '-c', script], { timeout: 20_000 });
    return { kind: 'cloud-init', version };
  } catch (err) {
    return { kind: 'builtin', reason: `no namespaces for a real boot: ${String((err as Error).message).split('\n')[0]}` };
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/** The bash script `unshare --mount --uts --net` runs: mounts, NICs, bridge, stages. */
export function realBootScript(plan: RealBootPlan): string {
  const q = shellQuote;
  const R = '"$R"';
  const inRoot = (cmd: string) => `chroot ${R} env -i PATH=${SERVER_PATH} HOME=/root LANG=C.UTF-8 TERM=dumb ${cmd}`;
  const nics = plan.nics.flatMap((nic, i) => [
    `ip link add ${q(nic.name)} address ${q(nic.mac)} type veth peer name ${q(`lab-peer${i}`)}`,
    `ip link set ${q(`lab-peer${i}`)} up`,
  ]);
  const stages = STAGES.map((stage) => {
    const call = `stage ${q(stage.name)} ${stage.args.map(q).join(' ')}`;
    // The enabled units start after the config stage and before final, as multi-user.target does.
    if (stage.name === 'modules:final') return ['start_units', call];
    if (stage.name === 'init-local') return [call, 'check_netplan'];
    return [call];
  }).flat();
  return [
    'set -u',
    `R=${q(plan.merged)}`,
    'fail() { echo "lab-boot: $1" >&2; exit "${2:-1}"; }',
    `mount -t overlay lab-server -o ${q(`lowerdir=/,upperdir=${plan.upper},workdir=${plan.work}`)} ${R} || fail "cannot mount the root overlay"`,
    `mount -t proc proc ${R}/proc && mount -t sysfs sysfs ${R}/sys && mount --rbind /dev ${R}/dev || fail "cannot mount /proc, /sys, /dev"`,
    `mount --bind ${q(plan.run)} ${R}/run && mount --bind ${q(plan.tmp)} ${R}/tmp || fail "cannot mount /run, /tmp"`,
    // First boot of the image: the machine running the lab keeps cloud-init disabled and has units
    // of its own enabled; the server's image has neither (an opaque, empty wants folder in the upper layer).
    `if [ ! -e ${q(`${plan.upper}${IMAGE_MARK}`)} ]; then`,
    `  rm -f ${R}/etc/cloud/cloud-init.disabled`,
    `  rm -rf ${R}/etc/systemd/system/multi-user.target.wants && mkdir -p ${R}/etc/systemd/system/multi-user.target.wants`,
    `  touch ${R}${IMAGE_MARK}`,
    'fi',
    'ip link set lo up',
    ...nics,
    // A fresh machine is "localhost" until cloud-init sets the hostname from its data.
    'hostname localhost',
    `LAB_BRIDGE_DIR=${q(plan.bridge.dir)} LAB_BRIDGE_PORTS=${q(plan.bridge.ports.join(','))} ${q(process.execPath)} -e ${q(NETNS_FORWARDER)} >/dev/null 2>&1 &`,
    `for _ in $(seq 100); do [ -e ${q(`${plan.bridge.dir}/ready`)} ] && break; sleep 0.05; done`,
    `[ -e ${q(`${plan.bridge.dir}/ready`)} ] || fail "the tenant network bridge did not start"`,
    'boot_started=$(date +%s%N)',
    'stage() {',
    '  local name=$1 started rc; shift',
    '  started=$(date +%s%N)',
    `  ${inRoot(`${CLOUD_INIT} "$@"`)} 2>&1`,
    '  rc=$?',
    '  echo "lab-boot: stage $name exited with code $rc after $(( ($(date +%s%N) - started) / 1000000 )) ms"',
    '  [ "$rc" -eq 0 ] || fail "cloud-init stage $name failed (exit code $rc)" "$rc"',
    '}',
    // What cloud-init rendered from network_data.json must be valid netplan: netplan's own generator says.
    'check_netplan() {',
    `  [ -e ${R}${CLOUD_INIT_NETPLAN} ] || { echo "lab-boot: cloud-init wrote no netplan (no network_data.json, or nothing matched)"; return 0; }`,
    `  ${inRoot('netplan generate')} 2>&1 || fail "netplan generate refused ${CLOUD_INIT_NETPLAN}"`,
    `  echo "lab-boot: netplan generate accepted ${CLOUD_INIT_NETPLAN}"`,
    '}',
    'start_units() {',
    `  ${inRoot(`bash -c ${q('for w in /etc/systemd/system/multi-user.target.wants/*; do if [ -e "$w" ]; then systemctl start "$(basename "$w")"; fi; done')}`)} 2>&1`,
    '}',
    ...stages,
    'echo "lab-boot: cloud-init finished in $(( ($(date +%s%N) - boot_started) / 1000000 )) ms"',
  ].join('\n');
}
