/**
 * The bash script `GET /node/join` answers: prepares the node (stand-in binaries and systemd units),
 * then runs `kubeadm join` with the token and the CA pin, like vCluster's served join script.
 */
import {
  bash, CONTAINERD_STANDIN, CONTAINERD_UNIT, KUBEADM_STANDIN, KUBELET_STANDIN, KUBELET_UNIT,
} from './standins.js';

export interface JoinScriptOptions {
  tenantName: string;
  /** `https://127.0.0.1:PORT` */
  endpoint: string;
  caCertPem: string;
  caCertHash: string;
  token: string;
}

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function heredoc(path: string, body: string, mode?: string): string {
  const marker = 'LAB_STANDIN_EOF';
  if (body.includes(marker)) throw new Error(`join script: content for ${path} contains the heredoc marker`);
  const write = `cat > "$ROOT${path}" <<'${marker}'\n${body.endsWith('\n') ? body : `${body}\n`}${marker}\n`;
  return mode ? `${write}chmod ${mode} "$ROOT${path}"\n` : write;
}

const PREAMBLE = bash`set -euo pipefail
ROOT="$\{ROOT:-}"
NODE_NAME=""
SKIP_JOIN=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --node-name) NODE_NAME="$2"; shift 2 ;;
    --skip-join) SKIP_JOIN=true; shift ;;
    *) echo "join: unknown flag $1" >&2; exit 2 ;;
  esac
done
`;

const JOIN = bash`if [ "$SKIP_JOIN" = true ]; then echo "Skipping kubeadm join (--skip-join)"; exit 0; fi
join_args=(join "$\{ENDPOINT#https://}" --token "$JOIN_TOKEN" --discovery-token-ca-cert-hash "$CA_CERT_HASH")
if [ -n "$NODE_NAME" ]; then join_args+=(--node-name "$NODE_NAME"); fi
echo "Joining the cluster with kubeadm"
"$ROOT/usr/local/bin/kubeadm" "$\{join_args[@]}"
`;

export function renderJoinScript(opts: JoinScriptOptions): string {
  return [
    '#!/usr/bin/env bash',
    `# vCluster node join script (lab) for tenant ${opts.tenantName}: installs containerd, kubelet and kubeadm, then joins.`,
    PREAMBLE,
    `ENDPOINT=${shellQuote(opts.endpoint)}`,
    `CA_CERT_HASH=${shellQuote(opts.caCertHash)}`,
    `JOIN_TOKEN=${shellQuote(opts.token)}`,
    '',
    'echo "Preparing node…"',
    'mkdir -p "$ROOT/usr/local/bin" "$ROOT/opt/cni/bin" "$ROOT/etc/systemd/system" "$ROOT/etc/kubernetes/pki" "$ROOT/var/lib/kubelet"',
    heredoc('/etc/kubernetes/pki/ca.crt', opts.caCertPem),
    'echo "Installing containerd, kubelet and kubeadm into $ROOT/usr/local/bin"',
    heredoc('/usr/local/bin/containerd', CONTAINERD_STANDIN, '0755'),
    heredoc('/usr/local/bin/kubelet', KUBELET_STANDIN, '0755'),
    heredoc('/usr/local/bin/kubeadm', KUBEADM_STANDIN, '0755'),
    heredoc('/etc/systemd/system/containerd.service', CONTAINERD_UNIT),
    heredoc('/etc/systemd/system/kubelet.service', KUBELET_UNIT),
    'systemctl daemon-reload',
    'systemctl enable --now containerd kubelet',
    JOIN,
  ].join('\n');
}
