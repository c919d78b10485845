#!/usr/bin/env bash
# Runs every test: publishes the Native AOT binary (IL warnings are errors), runs the in-process
# xunit suite, then the end-to-end suite that drives the published binary with the real client
# libraries. Ends with one line "N passed, N failed" and a non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")"

bash scripts/prerequisites.sh || exit 1

echo "== Publishing the Native AOT binary"
if ! dotnet publish -c Release -r linux-x64 -o artifacts/publish -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi
ls -l artifacts/publish/skubber-push

mkdir -p artifacts/test-results
passed=0
failed=0

echo "== In-process tests (xunit)"
dotnet test tests -nologo 2>&1 | tee artifacts/test-results/dotnet.log
dotnet_status=${PIPESTATUS[0]}
summary=$(grep -E "^(Passed|Failed)!" artifacts/test-results/dotnet.log | tail -1)
if [[ $summary =~ Failed:\ +([0-9]+),\ Passed:\ +([0-9]+) ]]; then
  failed=$((failed + BASH_REMATCH[1]))
  passed=$((passed + BASH_REMATCH[2]))
fi
if [ "$dotnet_status" -ne 0 ] && [ -z "$summary" ]; then failed=$((failed + 1)); fi

echo "== Start-up types (Aot/StartupTypes.rd.xml) match what the server's DI builds"
if dotnet run --project scripts/StartupTypes -c Release -- --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== Start-up order (Aot/StartupOrder.txt) lists the code the server runs while it starts"
if dotnet run --project scripts/StartupOrder -c Release -- --check --binary artifacts/publish/skubber-push; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== End-to-end tests (AOT binary + real clients)"
if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) || { echo "0 passed, 1 failed"; exit 1; }
fi
(cd tests/e2e && SKUBBER_BIN="$PWD/../../artifacts/publish/skubber-push" node --test --test-concurrency=2 --test-timeout=120000 --test-reporter=tap . ) 2>&1 | tee artifacts/test-results/e2e.tap
e2e_status=${PIPESTATUS[0]}
e2e_pass=$(grep -E "^# pass " artifacts/test-results/e2e.tap | awk '{print $3}')
e2e_fail=$(grep -E "^# fail " artifacts/test-results/e2e.tap | awk '{print $3}')
passed=$((passed + ${e2e_pass:-0}))
failed=$((failed + ${e2e_fail:-0}))
if [ "$e2e_status" -ne 0 ] && [ "${e2e_fail:-0}" -eq 0 ]; then failed=$((failed + 1)); fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
