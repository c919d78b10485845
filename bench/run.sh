#!/usr/bin/env bash
# Benchmarks Skubber Push against a plain SignalR app and a raw-socket floor, in one run, on
# loopback. Writes bench/results.json (one JSON object per measurement) and bench/results.md.
#   bench/run.sh            the full matrix (about 15 minutes on 2 cores)
#   QUICK=1 bench/run.sh    1,000 subscribers only, each measurement once (about 3.5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=${QUICK:-0}
# The floor, fan-out, latency and idle measurements are taken ROUNDS times, the servers interleaved
# within a round, so a noisy minute on this shared machine hits all of them alike; the report
# takes each cell's median. Start-up is the median of 9 starts; setup and REST run once.
ROUNDS=3; [ "$QUICK" = 1 ] && ROUNDS=1
OUT=bench/results.json
: > "$OUT"

command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed: REST figures skipped"; }
[ -x artifacts/publish/skubber-push ] || dotnet publish -c Release -r linux-x64 -o artifacts/publish -nologo -clp:ErrorsOnly
dotnet build -c Release bench/LoadGen -nologo -clp:ErrorsOnly -v q
dotnet build -c Release bench/baseline -nologo -clp:ErrorsOnly -v q
GEN=bench/LoadGen/bin/Release/net10.0/LoadGen
ulimit -n "$(ulimit -Hn)"

KEY=bench-key
SECRET=bench-secret-0123456789abcdefghijklmnopqrstuv
DATA=$(mktemp -d)
cleanup() { kill "$SKUBBER" "$BASELINE" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT

start_skubber() {
  SKUBBER_APP_ID=1001 SKUBBER_APP_KEY=$KEY SKUBBER_APP_SECRET=$SECRET Logging__LogLevel__Default=Warning \
    artifacts/publish/skubber-push --data-dir "$DATA" --urls http://127.0.0.1:5301 >/dev/null 2>&1 &
  SKUBBER=$!
  until curl -sf http://127.0.0.1:5301/health >/dev/null; do sleep 0.05; done
}
start_baseline() {
  dotnet bench/baseline/bin/Release/net10.0/Baseline.dll --urls http://127.0.0.1:5302 >/dev/null 2>&1 &
  BASELINE=$!
  until curl -s -o /dev/null http://127.0.0.1:5302/; do sleep 0.1; done
}
# A fresh process on an empty data directory, so no run inherits another's heap.
restart_skubber() { kill "$SKUBBER"; wait "$SKUBBER" 2>/dev/null || true; rm -rf "$DATA"/*; start_skubber; }
restart_baseline() { kill "$BASELINE"; wait "$BASELINE" 2>/dev/null || true; start_baseline; }
gen() { "$GEN" "$@" --app 1001 --key $KEY --secret $SECRET | tee -a "$OUT"; }
ours() { gen "$1" --server http://127.0.0.1:5301 --pid "$SKUBBER" "${@:2}"; }
theirs() { gen "$1" --server http://127.0.0.1:5302 --pid "$BASELINE" --path /hub "${@:2}"; }

echo "== binary and start-up (median of 9, fresh data directory each; idle RSS of the last, 1 s after)"
"$GEN" startup --binary artifacts/publish/skubber-push --runs 9 | tee -a "$OUT"

start_skubber
start_baseline

echo "== floor: raw sockets, the same frame to 1,000 loopback sockets"
for round in $(seq $ROUNDS); do
  for k in 1 4 10; do "$GEN" floor --connections 1000 --events 200 --frames-per-write $k | tee -a "$OUT"; done
  # Paced like the latency runs (one event every 50 ms): the readers sleep between frames.
  "$GEN" floor --connections 1000 --events 160 --frames-per-write 1 --pace-ms 50 | tee -a "$OUT"
done

SIZES="1000 5000 10000"; [ "$QUICK" = 1 ] && SIZES="1000"
echo "== burst fan-out (four publishers, so publishing never waits on the fan-out)"
for n in $SIZES; do
  for c in 1 10; do
    events=$(( 400000 / n )); [ $events -lt 20 ] && events=20
    for round in $(seq $ROUNDS); do
      for t in pusher signalrjson signalrmsgpack; do ours fanout --transport $t --label "skubber $t" --subscribers $n --channels $c --events $events; done
      for t in signalrjson signalrmsgpack; do theirs fanout --transport $t --label "baseline $t" --subscribers $n --channels $c --events $events; done
    done
  done
done

echo "== paced latency, 1,000 subscribers (fresh processes: no heap left over from the fan-out runs)"
restart_skubber; restart_baseline
for rate in 20000 100000; do
  for round in $(seq $ROUNDS); do
    for t in pusher signalrjson; do ours latency --transport $t --label "skubber $t" --subscribers 1000 --rate $rate --seconds 10; done
    theirs latency --transport signalrjson --label "baseline signalrjson" --subscribers 1000 --rate $rate --seconds 10
  done
done

echo "== idle connections (fresh processes: RSS does not shrink after the runs above)"
# 10,000 connections and 50,000, or as many as the open-files limit lets both the server and the
# generator hold (each process needs a descriptor per connection; this machine kind's hard limit
# is 20,000 and root cannot raise it in its container).
BIG=$(( ($(ulimit -n) - 1000) / 1000 * 1000 )); [ "$BIG" -gt 50000 ] && BIG=50000
IDLE_SIZES="10000"; [ "$BIG" -gt 10000 ] && IDLE_SIZES="10000 $BIG"
# A fresh process for each run: RSS after the connections depends on when the GC last ran, so
# single runs of the same build differ by more than 1 KB per connection; the report takes the median.
for n in $IDLE_SIZES; do
  for run in $(seq $ROUNDS); do
    for t in pusher signalrjson; do
      restart_skubber
      ours idle --transport $t --label "skubber $t" --connections $n
    done
    # The same hub WebSocket after /push/negotiate (SignalR's default): SignalR keeps its record of
    # the negotiation for 15 s, so this includes it.
    restart_skubber
    ours idle --transport signalrjson --negotiate true --label "skubber signalrjson negotiated" --connections $n
    restart_baseline
    theirs idle --transport signalrjson --label "baseline signalrjson" --connections $n
  done
done

echo "== connection setup"
for t in pusher signalrjson; do ours setup --transport $t --label "skubber $t" --connections 5000; done
theirs setup --transport signalrjson --label "baseline signalrjson" --connections 5000

if command -v wrk >/dev/null; then
  echo "== REST triggers, wrk, 32 connections (a fresh process)"
  restart_skubber
  BODY='{"name":"e","channel":"wrk","data":"{}"}'
  cat > "$DATA/headers.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$KEY"
wrk.headers["X-Api-Secret"] = "$SECRET"
LUA
  cat > "$DATA/signed.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
LUA
  # Pusher signatures hold for 600 s and carry no nonce, so one signed URL serves the whole run.
  SIGNED=$(python3 - "$KEY" "$SECRET" "$BODY" <<'PY'
import hashlib, hmac, sys, time
key, secret, body = sys.argv[1:]
q = f"auth_key={key}&auth_timestamp={int(time.time())}&auth_version=1.0&body_md5={hashlib.md5(body.encode()).hexdigest()}"
sig = hmac.new(secret.encode(), f"POST\n/apps/1001/events\n{q}".encode(), hashlib.sha256).hexdigest()
print(f"/apps/1001/events?{q}&auth_signature={sig}")
PY
)
  for auth in headers signed; do
    URL=http://127.0.0.1:5301/apps/1001/events; [ $auth = signed ] && URL="http://127.0.0.1:5301$SIGNED"
    R=$(wrk -t2 -c32 -d10s --latency -s "$DATA/$auth.lua" "$URL")
    RPS=$(echo "$R" | awk '/Requests\/sec/ {print $2}')
    P99=$(echo "$R" | awk '$1=="99%" {print $2}')
    NON2XX=$(echo "$R" | awk '/Non-2xx/ {print $4}')
    echo "{\"mode\":\"rest\",\"label\":\"skubber $auth\",\"requestsPerSecond\":$RPS,\"p99\":\"$P99\",\"non2xx\":${NON2XX:-0}}" | tee -a "$OUT"
  done
fi

python3 bench/report.py "$OUT" > bench/results.md
echo "Wrote bench/results.md"
