#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager (v1.20.2) from Debian's own `kubernetes` source
# package and installs etcd from Debian's `etcd-server`, so member clusters need nothing from outside
# the Debian and npm registries. Idempotent: exits at once when the cache already holds the binaries.
#
# Usage: build-kube-binaries.sh OUT_DIR
set -euo pipefail

out="${1:?usage: build-kube-binaries.sh OUT_DIR}"
version="v1.20.2"
step() { printf '[kube-build] %s %s\n' "$(date +%H:%M:%S)" "$*"; }

if [[ -x "$out/kube-apiserver" && -x "$out/kube-controller-manager" && -x "$out/etcd" ]]; then
  step "cached binaries found in $out"
  exit 0
fi

sudo_cmd=()
if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
apt_get() { DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get "$@"; }

src_list=/etc/apt/sources.list.d/ubernetes-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  step "adding a deb-src entry ($src_list)"
  "${sudo_cmd[@]}" tee "$src_list" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

step "installing build dependencies (golang-go, rsync, etcd-server, reflect2) from Debian"
apt_get update -qq
apt_get install -y -qq --no-install-recommends golang-go rsync etcd-server \
  golang-github-modern-go-reflect2-dev make dpkg-dev ca-certificates >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/ubernetes-kube-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
step "downloading Debian's kubernetes source package"
apt-get source --download-only kubernetes >/dev/null 2>&1 || apt-get source --download-only kubernetes
tarball="$(ls kubernetes_*.orig.tar.gz | head -n1)"
step "unpacking $tarball"
export GOPATH="$work/gopath"
src="$GOPATH/src/k8s.io/kubernetes"
mkdir -p "$src"
tar -xzf "$tarball" -C "$src" --strip-components=1

# reflect2 1.0.1 (vendored) crashes under Go >= 1.18; Debian ships the fixed 1.0.2.
step "patching vendored modern-go/reflect2 with Debian's 1.0.2"
rm -rf "$src/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"

cd "$src"
export GO111MODULE=off GOFLAGS= CGO_ENABLED=0 GOCACHE="$work/gocache"
unset OUT_DIR
step "generating code (make generated_files, about a minute)"
make generated_files >"$work/generate.log" 2>&1 || { tail -n 40 "$work/generate.log"; exit 1; }

# The version lives in two vendored packages (GOPATH mode: the vendor path is the symbol's name): component-base
# (what `--version` prints) and client-go (what the API server's `/version` answers).
ldflags="-s -w"
for V in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags+=" -X $V.gitVersion=$version -X $V.gitMajor=1 -X $V.gitMinor=20 -X $V.gitTreeState=clean"
done
mkdir -p "$out.partial"
for cmd in kube-apiserver kube-controller-manager; do
  step "compiling $cmd (a few minutes on 2 cores)"
  go build -ldflags "$ldflags" -o "$out.partial/$cmd" "./cmd/$cmd"
done
cp /usr/bin/etcd "$out.partial/etcd"
rm -rf "$out"
mv "$out.partial" "$out"
step "done: $(ls "$out" | tr '\n' ' ')in $out"
