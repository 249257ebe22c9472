#!/usr/bin/env bash
# The test command of the README (`npm test`): prepares the machine, type-checks, then runs the unit and
# integration suites (real PostgreSQL, Redis and member clusters) and prints one closing line
# `tests: N passed, N failed, N skipped`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/setup-machine.sh || exit 1

echo "[test] type-checking (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit || exit 1

results="$(mktemp -d)"
export NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning"
status=0
echo "[test] unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" "$@" || status=1
echo "[test] integration tests (real PostgreSQL, Redis and member clusters)"
npx jest --selectProjects integration --runInBand --json --outputFile="$results/integration.json" "$@" || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of process.argv.slice(1)) {
  if (!fs.existsSync(f)) { failed++; continue; }
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0); skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json"
rm -rf "$results"
exit $status
