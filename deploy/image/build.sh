#!/usr/bin/env bash
# Builds the tpd image: publishes src/Tpd.Cli self-contained and trimmed for linux-x64, then builds
# deploy/image/Containerfile with that folder as the context. Prints the image name on the last line.
#
#   deploy/image/build.sh                                   # localhost/tpd:<csproj Version>, default base
#   BASE=localhost/debian-minbase:bookworm deploy/image/build.sh
#   IMAGE=registry.example.com/tpd deploy/image/build.sh    # then push it: podman push registry.example.com/tpd:0.1.0
#
# Environment: BASE (the FROM image; default: the Containerfile's), IMAGE (name without tag; default localhost/tpd),
# ENGINE (podman or docker; default: podman if present), PUBLISH_DIR (reuse a publish instead of running one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/src/Tpd.Cli/Tpd.Cli.csproj" | head -n1)
[[ -n "$version" ]] || { echo "error: no <Version> in src/Tpd.Cli/Tpd.Cli.csproj" >&2; exit 2; }
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
image="${IMAGE:-localhost/tpd}:$version"
engine="${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
if [[ -n "${PUBLISH_DIR:-}" ]]; then
  cp -a "$PUBLISH_DIR" "$context/tpd"
else
  # Trimmed: 34 MB instead of 110 MB; the trimmer reports no warning for this code, and build-and-check.sh runs
  # the twin, the gateway and the load generator from the trimmed build.
  dotnet publish "$root/src/Tpd.Cli" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true \
    -o "$context/tpd" >&2
fi
cp "$here/Containerfile" "$context/Containerfile"

args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
[[ -n "${BASE:-}" ]] && args+=(--build-arg "BASE=$BASE")
"$engine" build "${args[@]}" -t "$image" -f "$context/Containerfile" "$context" >&2
echo "$image"
