#!/usr/bin/env bash
# Benchmark of `aws-ilm serve` (not a test: it prints figures, asserts nothing).
#
# Builds release binaries, installs wrk if missing, starts the emulator on a temporary SQLite
# file, seeds users through the real HTTP API, and measures with wrk on loopback:
#   filtered GET by userName, GET by id, POST /Users at 100,000 users; the filtered GET at 1,000
#   users (an indexed lookup should not care); both lookups again with the request log off (what
#   the log costs); a trivial axum handler (the machine's ceiling); and the server's RSS at
#   100,000 users.
# Environment: USERS (default 100000), DURATION (wrk seconds, default 10), CONNS (default 64).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-100000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q --bin aws-ilm
cargo build --release -q -p aws_ilm_emulator --example seed --example hello
BIN=target/release/aws-ilm
EX=target/release/examples

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TOKEN

# start NAME PORT -> runs the emulator on $WORK/NAME.db (request log as shipped: one line each,
# to /dev/null; RUST_LOG=warn in the environment turns it off)
start() {
  rm -f "$WORK/$1.out"
  "$BIN" serve --listen "127.0.0.1:$2" --db "$WORK/$1.db" --tenant-id bench --token "$TOKEN" \
    >"$WORK/$1.out" 2>/dev/null &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q '^stats:' "$WORK/$1.out" 2>/dev/null && return; sleep 0.1; done
  echo "emulator did not start" >&2; exit 1
}

# load LABEL SCRIPT URL -> prints "LABEL  req/s  p99"
load() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$2" "$3")
  local rps p99 errs
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-40s %12s req/s   p99 %8s   %s\n' "$1" "$rps" "$p99" "${errs:+non-2xx: $errs}"
}

rss_mb() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }

export BASE_PATH=/bench/scim/v2 PREFIX=seed-

echo "== machine: $(nproc) cores; wrk -t$THREADS -c$CONNS -d${DURATION}s on loopback; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1,000 users
start small 18081
"$EX/seed" http://127.0.0.1:18081/bench/scim/v2 "$TOKEN" 1000 seed- "$WORK/small.ids"
USERS=1000 load "filtered GET userName eq (1,000 users)" scripts/bench/filter.lua http://127.0.0.1:18081
kill "${PIDS[-1]}"

# 100,000 users
start big 18082
BIG=${PIDS[-1]}
"$EX/seed" http://127.0.0.1:18082/bench/scim/v2 "$TOKEN" "$USERS" seed- "$WORK/big.ids" 64
echo "server RSS after seeding $USERS users: $(rss_mb "$BIG")"
USERS=$USERS load "filtered GET userName eq ($USERS users)" scripts/bench/filter.lua http://127.0.0.1:18082
IDS_FILE="$WORK/big.ids" load "GET /Users/{id} ($USERS users)" scripts/bench/get.lua http://127.0.0.1:18082
load "POST /Users (at $USERS users)" scripts/bench/create.lua http://127.0.0.1:18082
echo "server RSS after the runs: $(rss_mb "$BIG")"
echo "database size: $(du -h "$WORK/big.db" | cut -f1) (+ WAL $(du -h "$WORK/big.db-wal" 2>/dev/null | cut -f1))"
kill "$BIG"; sleep 0.5

# The same lookups without the per-request log line, to show what it costs.
RUST_LOG=warn start big 18083
USERS=$USERS load "filtered GET, request log off" scripts/bench/filter.lua http://127.0.0.1:18083
IDS_FILE="$WORK/big.ids" load "GET /Users/{id}, request log off" scripts/bench/get.lua http://127.0.0.1:18083
kill "${PIDS[-1]}"

# The ceiling: a trivial axum handler.
"$EX/hello" 127.0.0.1:18099 & PIDS+=($!)
sleep 0.5
printf 'return\n' >"$WORK/plain.lua"
load "trivial axum handler (ceiling)" "$WORK/plain.lua" http://127.0.0.1:18099/
