/**
 * Commands a real server has but a sandbox must not touch on the machine running the lab. They come
 * first on the boot PATH (`/run/sim/shims`): systemctl manages stand-in daemons inside the sandbox,
 * hostnamectl writes /etc/hostname, the rest log and succeed. All paths honour `$ROOT` (prefix mode).
 */
import { bash } from '../vcluster/standins.js';

export const SYSTEMCTL_SHIM = bash`#!/usr/bin/env bash
# systemctl stand-in (lab): unit files under /etc/systemd/system; "running" = a background ExecStart.
set -uo pipefail
ROOT="$\{ROOT:-}"
units="$ROOT/etc/systemd/system"
state="$ROOT/run/sim/units"
mkdir -p "$state" "$units/multi-user.target.wants" "$ROOT/var/log"
echo "[shim] systemctl $*" >> "$ROOT/var/log/sim-shims.log"
unit_name() { if [[ "$1" == *.* ]]; then printf '%s' "$1"; else printf '%s.service' "$1"; fi; }
is_active() {
  local pid_file; pid_file="$state/$(unit_name "$1").pid"
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}
start_unit() {
  local name file exec env_file
  name="$(unit_name "$1")"; file="$units/$name"
  if [ ! -f "$file" ]; then echo "Failed to start $name: Unit $name not found." >&2; return 5; fi
  if is_active "$name"; then return 0; fi
  exec="$(sed -n 's/^ExecStart=//p' "$file" | head -n1)"
  env_file="$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$file" | head -n1)"
  (
    if [ -n "$env_file" ] && [ -f "$ROOT$env_file" ]; then
      set -a
      # shellcheck source=/dev/null
      . "$ROOT$env_file"
      set +a
    fi
    # Prefix mode: a binary the server installed lives under $ROOT; one of the image (/usr/bin/sleep) does not.
    if [ -n "$ROOT" ] && [ -e "$ROOT$\{exec%% *}" ]; then exec="$ROOT$exec"; fi
    # shellcheck disable=SC2086 # ExecStart is a command line: word splitting is wanted
    nohup $exec >> "$ROOT/var/log/$\{name%.service}.log" 2>&1 < /dev/null &
    echo "$!" > "$state/$name.pid"
  )
  echo "Started $name"
}
stop_unit() {
  local name; name="$(unit_name "$1")"
  if is_active "$name"; then kill "$(cat "$state/$name.pid")" 2>/dev/null || true; fi
  rm -f "$state/$name.pid"
}
command="$\{1:-}"; shift || true
now=false
args=()
for arg in "$@"; do
  case "$arg" in
    --now) now=true ;;
    --*) ;;
    *) args+=("$arg") ;;
  esac
done
rc=0
case "$command" in
  daemon-reload|reset-failed) ;;
  enable)
    for unit in "$\{args[@]}"; do
      name="$(unit_name "$unit")"
      if [ ! -f "$units/$name" ]; then echo "Failed to enable unit: Unit file $name does not exist." >&2; rc=1; continue; fi
      ln -sf "../$name" "$units/multi-user.target.wants/$name"
      echo "Created symlink /etc/systemd/system/multi-user.target.wants/$name → /etc/systemd/system/$name."
      if [ "$now" = true ]; then start_unit "$name" || rc=$?; fi
    done ;;
  disable) for unit in "$\{args[@]}"; do rm -f "$units/multi-user.target.wants/$(unit_name "$unit")"; if [ "$now" = true ]; then stop_unit "$unit"; fi; done ;;
  start) for unit in "$\{args[@]}"; do start_unit "$unit" || rc=$?; done ;;
  stop) for unit in "$\{args[@]}"; do stop_unit "$unit"; done ;;
  restart) for unit in "$\{args[@]}"; do stop_unit "$unit"; start_unit "$unit" || rc=$?; done ;;
  is-active) for unit in "$\{args[@]}"; do if is_active "$unit"; then echo active; else echo inactive; rc=3; fi; done ;;
  is-enabled) for unit in "$\{args[@]}"; do if [ -e "$units/multi-user.target.wants/$(unit_name "$unit")" ]; then echo enabled; else echo disabled; rc=1; fi; done ;;
  status) for unit in "$\{args[@]}"; do if is_active "$unit"; then echo "$(unit_name "$unit"): active (running)"; else echo "$(unit_name "$unit"): inactive (dead)"; rc=3; fi; done ;;
  *) echo "[shim] systemctl $command: ignored (simulated server)" ;;
esac
exit "$rc"
`;

export const HOSTNAMECTL_SHIM = bash`#!/usr/bin/env bash
# hostnamectl stand-in (lab): set-hostname writes /etc/hostname (and the UTS name in namespace mode).
set -euo pipefail
ROOT="$\{ROOT:-}"
echo "[shim] hostnamectl $*" >> "$ROOT/var/log/sim-shims.log"
if [ "$\{1:-}" = set-hostname ] && [ -n "$\{2:-}" ]; then
  echo "$2" > "$ROOT/etc/hostname"
  if [ -z "$ROOT" ]; then hostname "$2"; fi
else
  echo "Static hostname: $(cat "$ROOT/etc/hostname" 2>/dev/null || hostname)"
fi
`;

export const NOOP_SHIM = bash`#!/usr/bin/env bash
# Stand-in (lab) for a command that would change the machine running the lab: log and succeed.
ROOT="$\{ROOT:-}"
echo "[shim] $(basename "$0") $*" >> "$ROOT/var/log/sim-shims.log"
echo "[shim] $(basename "$0") $*: skipped (simulated server)"
`;

/** File name in /run/sim/shims → script. */
export const SHIMS: Record<string, string> = {
  systemctl: SYSTEMCTL_SHIM,
  hostnamectl: HOSTNAMECTL_SHIM,
  ...Object.fromEntries(['apt-get', 'apt', 'yum', 'dnf', 'modprobe', 'sysctl', 'swapoff', 'update-ca-certificates', 'reboot', 'shutdown', 'udevadm']
    .map((name) => [name, NOOP_SHIM])),
};
