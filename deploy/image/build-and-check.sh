#!/usr/bin/env bash
# Builds the tpd image on a local Debian base and runs it, on a machine that can build images but not run
# containers (no registry; crun may not set rlimits). Steps, each timed:
#   1. a Debian minbase made with debootstrap from the mirror apt already uses, imported as a podman image;
#   2. deploy/image/build.sh with that image as BASE (the publish and the COPY-only Containerfile);
#   3. podman save, and the saved layers unpacked into a folder;
#   4. that folder mounted read-only (tmpfs on /tmp, config on /etc/tpd, as deploy/ mounts them) and entered with
#      chroot as the image's user, entrypoint, environment and working directory: `tpd --version`, a `tpd twin`,
#      a `tpd gateway` in front of it and a `tpd bench` through the gateway, checked with curl from outside;
#   5. once more without a writable /tmp: twin and gateway still serve.
# Needs root, podman, debootstrap, jq, curl and unshare. Exit 0 when every check passed.
#
# Environment: SUITE (Debian suite of the base; bookworm), MIRROR (default: the first Debian mirror in apt's
# sources), KEEP=1 keeps the work folder and images for a look afterwards, REUSE_BASE=1 keeps the base image and
# reuses it next time (skips the debootstrap step), PUBLISH_DIR as for build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

for tool in podman debootstrap jq curl unshare chroot; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is not installed" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "error: needs root (debootstrap, mount, chroot)" >&2; exit 2; }

suite=${SUITE:-bookworm}
mirror=${MIRROR:-$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | grep -oE 'https?://[^ ]+' | head -n1 || true)}
[[ -n "$mirror" ]] || { echo "error: no Debian mirror in apt's sources; set MIRROR" >&2; exit 2; }

work=$(mktemp -d /tmp/tpd-image-check.XXXXXX)
base_image="localhost/tpd-check-base:$suite"
image=""
cleanup() {
  if [[ "${KEEP:-}" != 1 ]]; then
    rm -rf "$work"
    [[ "${REUSE_BASE:-}" == 1 ]] || podman rmi -f "$base_image" >/dev/null 2>&1 || true
    [[ -z "$image" ]] || podman rmi -f "$image" >/dev/null 2>&1 || true
  else
    echo "kept: $work, $base_image, $image"
  fi
}
trap cleanup EXIT

step_start=$SECONDS
all_start=$SECONDS
step() { echo "[$((SECONDS - step_start)) s] $*"; step_start=$SECONDS; }

# 1. The base: what runtime-deps holds (libc, libstdc++, libgcc, OpenSSL, CA certificates) on Debian.
if [[ "${REUSE_BASE:-}" == 1 ]] && podman image exists "$base_image"; then
  step "reusing $base_image"
else
  debootstrap --variant=minbase --include=ca-certificates,libssl3 "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/base/var/cache/apt/"* "$work/base/var/lib/apt/lists/"*
  tar -C "$work/base" -c . | podman import --quiet - "$base_image" >/dev/null
  rm -rf "$work/base"
  step "debootstrap $suite minbase from apt's Debian mirror, imported as $base_image"
fi

# 2. The image, exactly as a user builds it, on that base.
image=$(BASE="$base_image" "$here/build.sh" 2>"$work/build.log" | tail -n1) || { tail -n 30 "$work/build.log" >&2; exit 1; }
step "built $image"

# 3. Saved and unpacked layer by layer (COPY-only layers over one imported layer: no whiteouts expected).
podman save --quiet --format docker-dir -o "$work/saved" "$image" >/dev/null
mkdir "$work/rootfs"
for layer in $(jq -r '.layers[].digest | sub("sha256:"; "")' "$work/saved/manifest.json"); do
  tar -C "$work/rootfs" -xf "$work/saved/$layer"
done
if find "$work/rootfs" -name '.wh.*' | grep -q .; then echo "error: unexpected whiteout files in the layers" >&2; exit 1; fi
config="$work/saved/$(jq -r '.config.digest | sub("sha256:"; "")' "$work/saved/manifest.json")"
user=$(jq -r '.config.User' "$config")
workdir=$(jq -r '.config.WorkingDir' "$config")
mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]' "$config")
mapfile -t envs < <(jq -r '.config.Env[]' "$config")
step "saved ($(du -sh "$work/saved" | cut -f1)) and unpacked; user $user, workdir $workdir, entrypoint ${entrypoint[*]}"
[[ "$user" != "" && "$user" != 0* && "$user" != root* ]] || { echo "error: the image runs as root ('$user')" >&2; exit 1; }

# 4. Run it. The mounts live in a private mount namespace, so they vanish with it whatever happens.
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/src/Tpd.Cli/Tpd.Cli.csproj" | head -n1)
mkdir "$work/etc"
# A container runtime creates the mount points a pod asks for; the unpacked copy gets the one deploy/ uses.
mkdir -p "$work/rootfs/etc/tpd"
cat >"$work/etc/gateway.yaml" <<'YAML'
listen: 127.0.0.1:0
pool: image-check
workers:
  - { name: twin-0, url: "http://TWIN", price_per_hour: 2.49, max_in_flight: 64 }
scaling:
  target_in_flight_per_worker: 4
YAML
export work user workdir version
export entrypoint_s="${entrypoint[*]}" envs_s="${envs[*]}"
unshare --mount --propagation private bash -euo pipefail -c '
  r=$work/mnt
  mkdir -p "$r"
  mount --bind "$work/rootfs" "$r"
  mount -o remount,bind,ro "$r"
  mount -t proc proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount --bind -o ro "$work/etc" "$r/etc/tpd"
  writable_tmp() { mount -t tmpfs -o mode=1777,size=64m tmpfs "$r/tmp"; }
  # As a container runtime starts the entrypoint: the image user, its environment only, its working directory.
  in_image() { chroot --userspec="$user" "$r" /usr/bin/env -i -C "$workdir" $envs_s $entrypoint_s "$@"; }
  pids=()
  # In the background with its own pid (chroot and env exec), so that kill reaches tpd itself.
  start_in_image() { local out=$1; shift; ( exec chroot --userspec="$user" "$r" /usr/bin/env -i -C "$workdir" $envs_s $entrypoint_s "$@" ) >"$out" 2>&1 & pids+=($!); }
  trap "kill \${pids[*]} 2>/dev/null || true; wait 2>/dev/null || true" EXIT
  wait_for() { for _ in $(seq 100); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "error: no \"$2\" in $1:" >&2; cat "$1" >&2; return 1; }

  writable_tmp
  got=$(in_image --version)
  [[ "$got" == "$version" || "$got" == "$version+"* ]] || { echo "error: tpd --version printed \"$got\", expected $version" >&2; exit 1; }
  echo "tpd --version: $got"

  start_in_image "$work/twin.out" twin --port 0 --time-factor 10
  wait_for "$work/twin.out" "url +http://127.0.0.1:[0-9]+"
  twin=$(grep -oE "http://127.0.0.1:[0-9]+" "$work/twin.out" | head -n1)
  curl -fsS "$twin/v1/models" | jq -e ".data[0].id == \"llama-3.1-8b\"" >/dev/null
  echo "twin from the image answers /v1/models at $twin"

  # The config goes in through a read-only mount, as a ConfigMap does; the gateway only reads it.
  umount "$r/etc/tpd"; sed -i "s#http://TWIN#$twin#" "$work/etc/gateway.yaml"; mount --bind -o ro "$work/etc" "$r/etc/tpd"
  start_in_image "$work/gateway.out" gateway --config /etc/tpd/gateway.yaml
  wait_for "$work/gateway.out" "listening on http://127.0.0.1:[0-9]+"
  gateway=$(grep -oE "listening on http://127.0.0.1:[0-9]+" "$work/gateway.out" | grep -oE "http://.*" | head -n1)
  body="{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":5,\"stream\":true}"
  stream=$(curl -fsSN "$gateway/v1/chat/completions" -H "content-type: application/json" -d "$body")
  [[ $(grep -c "\"content\":\" " <<<"$stream") == 5 && "$stream" == *"data: [DONE]"* ]] \
    || { echo "error: the stream through the gateway is not 5 tokens and [DONE]:" >&2; echo "$stream" >&2; exit 1; }
  echo "gateway from the image streams 5 tokens from the twin at $gateway"

  in_image bench --url "$gateway" --concurrency 4 --requests 40 --warmup 0 --output 16 >"$work/bench.out" 2>&1
  [[ -s "$r/tmp/bench-records.jsonl" && $(wc -l <"$r/tmp/bench-records.jsonl") == 40 ]] \
    || { echo "error: tpd bench did not write 40 records to /tmp:" >&2; cat "$work/bench.out" >&2; exit 1; }
  # bench also sends a few tiny capability probes first (MEASURE.md), so: every request received ended ok.
  metrics=$(curl -fsS "$gateway/metrics")
  ok=$(grep -E "^tpd_gateway_requests_total\{pool=\"image-check\",outcome=\"ok\"\}" <<<"$metrics" | grep -oE "[0-9]+$")
  received=$(grep -E "^tpd_gateway_requests_received_total\{" <<<"$metrics" | grep -oE "[0-9]+$")
  [[ "$ok" == "$received" && "$ok" -ge 41 ]] || { echo "error: the gateway counted $ok ok of $received received, expected all and >= 41" >&2; exit 1; }
  echo "tpd bench from the image: 40 requests through the gateway, 40 records in /tmp; the gateway counts $ok of $received ok"

  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()
  umount "$r/tmp"

  # 5. Read-only root and no writable /tmp at all: twin and gateway still serve.
  start_in_image "$work/twin-ro.out" twin --port 0
  wait_for "$work/twin-ro.out" "url +http://127.0.0.1:[0-9]+"
  twin2=$(grep -oE "http://127.0.0.1:[0-9]+" "$work/twin-ro.out" | head -n1)
  umount "$r/etc/tpd"; sed -i "s#$twin#$twin2#" "$work/etc/gateway.yaml"; mount --bind -o ro "$work/etc" "$r/etc/tpd"
  start_in_image "$work/gateway-ro.out" gateway --config /etc/tpd/gateway.yaml
  wait_for "$work/gateway-ro.out" "listening on http://127.0.0.1:[0-9]+"
  gateway=$(grep -oE "listening on http://127.0.0.1:[0-9]+" "$work/gateway-ro.out" | grep -oE "http://.*" | head -n1)
  stream=$(curl -fsSN "$gateway/v1/chat/completions" -H "content-type: application/json" -d "$body")
  [[ "$stream" == *"data: [DONE]"* ]] || { echo "error: no stream through the gateway with a read-only /tmp:" >&2; echo "$stream" >&2; exit 1; }
  echo "twin and gateway serve with a read-only root and a read-only /tmp"
'
step "ran the image"
echo "image check passed in $((SECONDS - all_start)) s: $image"
