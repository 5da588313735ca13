/**
 * Bash stand-ins for containerd, kubelet and kubeadm that the join script installs on a simulated
 * server. They behave like the real tools where the lab depends on it: kubeadm pins the CA public-key
 * hash and registers over verified TLS; kubelet posts heartbeats; containerd idles as a daemon.
 * Every path is prefixed with `$ROOT` so the scripts also work in the servers' prefix fallback mode.
 */

/**
 * A raw template for bash text: write `$\{` for bash's `${` (TypeScript would interpolate it);
 * real `${...}` substitutions insert TypeScript values.
 */
export function bash(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.raw.map((text, i) => text.replaceAll('$\\{', '${') + (i < values.length ? String(values[i]) : '')).join('');
}

export const CONTAINERD_STANDIN = bash`#!/usr/bin/env bash
# containerd stand-in (lab): marks its socket and idles like a daemon.
set -euo pipefail
ROOT="$\{ROOT:-}"
mkdir -p "$ROOT/run/containerd"
touch "$ROOT/run/containerd/containerd.sock"
echo "containerd (lab stand-in) v2.0.5 running"
exec sleep infinity
`;

/**
 * The lab's own kubelet settings (KUBELET_HEARTBEAT_MS), kept apart from /etc/default/kubelet, which
 * belongs to the machine's user data (KUBELET_EXTRA_ARGS).
 */
export const LAB_KUBELET_ENV_PATH = '/etc/lab/kubelet.env';

export const KUBELET_STANDIN = bash`#!/usr/bin/env bash
# kubelet stand-in (lab): once kubeadm has joined, posts a heartbeat every KUBELET_HEARTBEAT_MS.
set -uo pipefail
ROOT="$\{ROOT:-}"
# shellcheck source=/dev/null
if [ -f "$ROOT${LAB_KUBELET_ENV_PATH}" ]; then . "$ROOT${LAB_KUBELET_ENV_PATH}"; fi
interval="$(awk -v ms="$\{KUBELET_HEARTBEAT_MS:-10000}" 'BEGIN { printf "%.3f", ms / 1000 }')"
config="$ROOT/var/lib/kubelet/standin.env"
echo "kubelet (lab stand-in) v1.32.4 starting with flags: $\{KUBELET_EXTRA_ARGS:-(none)}"
while :; do
  if [ -f "$config" ]; then
    # shellcheck source=/dev/null
    . "$config"
    date -u +%Y-%m-%dT%H:%M:%SZ > "$ROOT/var/lib/kubelet/heartbeat"
    curl -sS --fail-with-body --max-time 5 --cacert "$ROOT/etc/kubernetes/pki/ca.crt" \
      -H "@$ROOT/var/lib/kubelet/auth-header" --data-urlencode "node=$NODE_NAME" \
      "$ENDPOINT/node/heartbeat" >/dev/null || echo "kubelet: heartbeat failed" >&2
  fi
  sleep "$interval"
done
`;

export const KUBEADM_STANDIN = bash`#!/usr/bin/env bash
# kubeadm stand-in (lab): kubeadm join <host:port> --token <t> --discovery-token-ca-cert-hash sha256:<hex>
set -euo pipefail
ROOT="$\{ROOT:-}"
if [ "$\{1:-}" != join ]; then echo "kubeadm (lab stand-in): only 'join' is supported" >&2; exit 1; fi
shift
server="" token="" ca_hash="" node_name="" node_labels=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --token) token="$2"; shift 2 ;;
    --discovery-token-ca-cert-hash) ca_hash="$2"; shift 2 ;;
    --node-name) node_name="$2"; shift 2 ;;
    --node-labels) node_labels="$2"; shift 2 ;;
    --*) echo "kubeadm: unknown flag $1" >&2; exit 1 ;;
    *) server="$1"; shift ;;
  esac
done
if [ -z "$server" ] || [ -z "$token" ] || [ -z "$ca_hash" ]; then
  echo "kubeadm: usage: kubeadm join <host:port> --token <token> --discovery-token-ca-cert-hash sha256:<hex>" >&2
  exit 1
fi
if [ -z "$node_name" ]; then node_name="$(cat "$ROOT/etc/hostname" 2>/dev/null || hostname)"; fi
node_name="$(printf '%s' "$node_name" | tr '[:upper:]' '[:lower:]')"
# Like kubeadm's kubelet drop-in: KUBELET_EXTRA_ARGS from /etc/default/kubelet reach the kubelet, which
# registers the Node with --register-with-taints and --node-labels; other flags are the kubelet's.
node_taints=""
KUBELET_EXTRA_ARGS=""
if [ -f "$ROOT/etc/default/kubelet" ]; then
  # shellcheck source=/dev/null
  . "$ROOT/etc/default/kubelet"
fi
read -r -a kubelet_flags <<< "$KUBELET_EXTRA_ARGS"
for flag in "$\{kubelet_flags[@]}"; do
  case "$flag" in
    --register-with-taints=*) node_taints="$\{flag#--register-with-taints=}" ;;
    --node-labels=*) node_labels="$\{node_labels:+$node_labels,}$\{flag#--node-labels=}" ;;
    --?*=*) ;;
    *) echo "kubeadm: KUBELET_EXTRA_ARGS in /etc/default/kubelet: $flag is not --<flag>=<value>" >&2; exit 1 ;;
  esac
done
endpoint="https://$server"
ca_file="$ROOT/etc/kubernetes/pki/ca.crt"
public_key_sha256() { openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1; }

echo "[preflight] Running pre-flight checks"
echo "[discovery] Fetching cluster-info from $endpoint"
# Like kubelet's TLS bootstrap, discovery and registration retry what can pass (5xx, timeouts).
retry=(--retry 5 --retry-delay 1 --retry-all-errors)
cluster_info="$(curl -sS --fail-with-body --max-time 10 "$\{retry[@]}" --cacert "$ca_file" "$endpoint/node/cluster-info")"
ca_data="$(printf '%s\n' "$cluster_info" | sed -n 's/^ *certificate-authority-data: *//p' | head -n1)"
served_hash="sha256:$(printf '%s' "$ca_data" | base64 -d | public_key_sha256)"
if [ "$served_hash" != "$ca_hash" ]; then
  echo "[discovery] cluster CA public key hash $served_hash does not match --discovery-token-ca-cert-hash $ca_hash; refusing to join" >&2
  exit 1
fi
echo "[discovery] Cluster CA public key matches the pinned hash"
echo "[kubelet-start] Registering node $node_name"
response="$(curl -sS --fail-with-body --max-time 10 "$\{retry[@]}" --cacert "$ca_file" \
  --data-urlencode "token=$token" --data-urlencode "nodeName=$node_name" --data-urlencode "labels=$node_labels" --data-urlencode "taints=$node_taints" \
  "$endpoint/node/register")"
credential="$(printf '%s\n' "$response" | sed -n 's/^credential=//p')"
mkdir -p "$ROOT/var/lib/kubelet" "$ROOT/etc/kubernetes"
umask 077
printf 'Authorization: Bearer %s\n' "$credential" > "$ROOT/var/lib/kubelet/auth-header"
printf 'ENDPOINT=%q\nNODE_NAME=%q\n' "$endpoint" "$node_name" > "$ROOT/var/lib/kubelet/standin.env"
cat > "$ROOT/etc/kubernetes/kubelet.conf" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: default
  cluster:
    server: $endpoint
    certificate-authority: /etc/kubernetes/pki/ca.crt
users:
- name: $node_name
  user:
    tokenFile: /var/lib/kubelet/auth-header
contexts:
- name: default
  context: {cluster: default, user: $node_name}
current-context: default
EOF
echo "This node has joined the cluster: node $node_name registered"
`;

export const CONTAINERD_UNIT = `[Unit]
Description=containerd container runtime (lab stand-in)
After=network.target

[Service]
ExecStart=/usr/local/bin/containerd
Restart=always

[Install]
WantedBy=multi-user.target
`;

export const KUBELET_UNIT = `[Unit]
Description=kubelet: The Kubernetes Node Agent (lab stand-in)
After=containerd.service

[Service]
EnvironmentFile=-/etc/default/kubelet
ExecStart=/usr/local/bin/kubelet
Restart=always

[Install]
WantedBy=multi-user.target
`;
