#!/usr/bin/env bash
# Benchmark of `aws-ilm batch` (not a test: it prints figures, asserts nothing).
#
# Release build; every measurement on a fresh `aws-ilm serve` with a temporary SQLite file, on
# loopback, on this machine's cores (client and server share them):
#   1. the emulator's raw create capacity: wrk POST /Users (scripts/bench/create.lua, the
#      emulator's own bench tooling) with CONC connections for RAW_SECS seconds;
#   2. `aws-ilm batch` on EVENTS iam-create-user events at --max-rps 0, --concurrency CONC,
#      unthrottled, once per --create-strategy: events/s and the ratio to (1) (create-first: one
#      POST per event; lookup-first: a lookup + a POST), and the batch process's CPU time;
#   3. the sustained rate against `serve --throttle` (AWS's 25 write / 40 read TPS) for
#      THROTTLED events at --max-rps 25 (AWS's quota) and at --max-rps 0 (learned from 429s);
#   4. peak RSS of `aws-ilm batch` on a BIG-line input (/usr/bin/time -v).
# (3) and (4) use the default strategy, create-first.
# (2) runs with the audit log off and on (docs/audit.md; AUDIT=off|on|both, default both), REPS
# times (1) alternating; the other steps run with it off. The log goes to the temporary folder,
# never the home's.
# Environment: EVENTS (10000), CONC (32), RAW_SECS (8), THROTTLED (1000), BIG (100000), AUDIT;
# CARGO_TARGET_DIR is where the release build goes, as for cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-10000}
CONC=${CONC:-32}
RAW_SECS=${RAW_SECS:-8}
THROTTLED=${THROTTLED:-1000}
BIG=${BIG:-100000}
AUDIT=${AUDIT:-both}
REPS=${REPS:-1}
case $AUDIT in both) AUDITS="off on" ;; on | off) AUDITS=$AUDIT ;; *) echo "AUDIT: off, on or both" >&2; exit 2 ;; esac

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q --bin aws-ilm
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/aws-ilm

WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=18181
export TOKEN AWS_ILM_TOKEN=$TOKEN AWS_ILM_BASE_URL=http://127.0.0.1:$PORT AWS_ILM_TENANT_ID=bench
export BASE_PATH=/bench/scim/v2
export AWS_ILM_AUDIT_LOG=""

# serve, calc, rate, failed
. scripts/bench/lib.sh

# events N PREFIX > file: N iam-create-user lines
events() {
  python3 - "$1" "$2" <<'PY'
import json, sys
n, p = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
for i in range(n):
    u = f"{p}{i}@example.test"
    out.write(json.dumps({"command": "iam-create-user", "args": {"user-profile": {
        "username": u, "email": u, "givenname": "Given", "surname": f"S{i}",
        "displayname": f"User {i}"}}}) + "\n")
PY
}

echo "== machine: $(nproc) cores; client and emulator on loopback, SQLite file"

serve raw
RAW=$(wrk -t2 -c"$CONC" -d"${RAW_SECS}s" -s scripts/bench/create.lua "http://127.0.0.1:$PORT" \
  | awk '/^Requests\/sec/ {print $2}')
printf '%-58s %10.0f creates/s\n' "emulator raw create capacity (wrk POST, $CONC conns)" "$RAW"

events "$EVENTS" fast- >"$WORK/fast.jsonl"
for rep in $(seq "$REPS"); do
for strategy in create-first lookup-first; do
for audit in $AUDITS; do
  serve "fast-$rep-$strategy-$audit"
  log=""; [ "$audit" = on ] && log="$WORK/audit-$rep-$strategy.jsonl"
  AWS_ILM_AUDIT_LOG=$log /usr/bin/time -f 'batch process: %U s user + %S s system CPU, %M KB peak RSS' \
    "$BIN" batch "$WORK/fast.jsonl" --max-rps 0 --concurrency "$CONC" --results /dev/null \
    --no-progress --create-strategy "$strategy" 2>"$WORK/fast.sum"
  FAST=$(rate "$WORK/fast.sum")
  printf '%-58s %10.0f events/s  (%.0f%% of raw; failed: %s)\n' \
    "aws-ilm batch, $EVENTS creates, $strategy, audit $audit" "$FAST" \
    "$(calc "$FAST * 100 / $RAW")" "$(failed "$WORK/fast.sum")"
  sed 's/^/    /' "$WORK/fast.sum"
done
done
done

for rps in 25 0; do
  serve "throttled$rps" --throttle
  events "$THROTTLED" "thr$rps-" >"$WORK/thr.jsonl"
  "$BIN" batch "$WORK/thr.jsonl" --max-rps "$rps" --concurrency 8 --results /dev/null \
    --no-progress 2>"$WORK/thr$rps.sum"
  T=$(rate "$WORK/thr$rps.sum")
  printf '%-58s %10.1f events/s  (%.0f%% of 25/s; failed: %s)\n' \
    "against --throttle, $THROTTLED creates, --max-rps $rps" "$T" \
    "$(calc "$T * 100 / 25")" "$(failed "$WORK/thr$rps.sum")"
  sed 's/^/    /' "$WORK/thr$rps.sum"
done

serve big
events "$BIG" big- >"$WORK/big.jsonl"
/usr/bin/time -v "$BIN" batch "$WORK/big.jsonl" --max-rps 0 --concurrency "$CONC" \
  --journal "$WORK/big.journal" --results "$WORK/big.results" --no-progress 2>"$WORK/big.sum"
RSS=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/big.sum")
printf '%-58s %10.1f MB  (%s events/s, failed: %s)\n' \
  "peak RSS of aws-ilm batch, $BIG lines (with journal)" "$(calc "$RSS / 1024")" \
  "$(rate "$WORK/big.sum")" "$(failed "$WORK/big.sum")"
