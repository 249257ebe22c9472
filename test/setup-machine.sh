#!/usr/bin/env bash
# Prepares a machine for the tests, the demo and the benchmarks: npm packages, Debian packages (dig,
# dnsperf), reachable PostgreSQL and Redis, member-cluster binaries, and the build. Safe to run again:
# every step is skipped when already done. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[setup] %s\n' "$*" >&2; }

# --- Node.js -------------------------------------------------------------------------------------------
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  say "Node.js >= 20.19 is required (found $(node --version))"; exit 1; }

# --- npm packages --------------------------------------------------------------------------------------
# `npm install`, not `npm ci`: the lockfile cannot list every platform's optional native packages (SWC's)
# when the registry in use serves only this platform's, and `npm ci` refuses such a lockfile.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages (npm install from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

# --- Debian packages -----------------------------------------------------------------------------------
need=()
command -v dig >/dev/null || need+=(dnsutils)
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
  if [[ "$(id -u)" == 0 ]] || command -v sudo >/dev/null; then
    sudo_cmd=(); [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
    say "installing Debian packages: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    say "missing ${need[*]} and no root/sudo to install them: install them with your package manager"; exit 1
  fi
fi

# --- PostgreSQL and Redis ------------------------------------------------------------------------------
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
node test/support/check-services.mjs || {
  # Only a local default installation is started for the user; anything else is theirs to run.
  if [[ "$DATABASE_URL" == *"@127.0.0.1:5432/"* ]] && command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    say "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if [[ "$REDIS_URL" == "redis://127.0.0.1:6379" ]] && command -v redis-server >/dev/null; then
    if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
      say "starting a local Redis"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    fi
  fi
  sleep 1
  node test/support/check-services.mjs
}

# --- member-cluster binaries ---------------------------------------------------------------------------
if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "${KUBEBUILDER_ASSETS}/kube-apiserver" ]]; then
  say "member-cluster binaries from KUBEBUILDER_ASSETS=${KUBEBUILDER_ASSETS}"
else
  cache="${UBERNETES_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ubernetes}/kube-v1.20.2-build2"
  bash libs/kube-harness/scripts/build-kube-binaries.sh "$cache" >&2
fi

# --- build ---------------------------------------------------------------------------------------------
say "building (swc)"
npm run -s build >&2
