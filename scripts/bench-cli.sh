#!/usr/bin/env bash
# Median wall time of one `aws-ilm iam-get-user` process against a local emulator.
#
#   scripts/bench-cli.sh [RUNS]      (default 50 runs)
#
# Builds the release binary, starts `aws-ilm serve` on a free port with an in-memory database,
# creates one user, then times RUNS processes of `aws-ilm iam-get-user`. Uses hyperfine when it
# is installed, else a loop of `date +%s%N`. Prints the median in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-50}"

cargo build --release --quiet
BIN="$PWD/target/release/aws-ilm"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s' "$TOKEN" > "$WORK/token"
chmod 600 "$WORK/token"   # a group-readable token file is warned about on every run
AWS_ILM_EMULATOR_TOKEN="$TOKEN" "$BIN" serve --listen "127.0.0.1:$PORT" --db :memory: \
    --tenant-id bench > "$WORK/serve.log" 2>&1 &
SERVER_PID=$!

export AWS_ILM_BASE_URL="http://127.0.0.1:$PORT"
export AWS_ILM_TENANT_ID=bench
export AWS_ILM_TOKEN_FILE="$WORK/token"

for _ in $(seq 1 100); do
    if "$BIN" test-module > /dev/null 2>&1; then break; fi
    sleep 0.05
done
"$BIN" iam-create-user --user-profile '{"username":"bench@example.com","email":"bench@example.com","givenname":"B","surname":"Ench","displayname":"B Ench"}' > /dev/null

CMD="$BIN iam-get-user --user-profile '{\"username\":\"bench@example.com\"}'"
# Exit status 0 means the user was found (1 would be "User does not exist").
eval "$CMD" > /dev/null || { echo "iam-get-user did not succeed" >&2; exit 1; }
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 5 --runs "$RUNS" -N --export-json "$WORK/h.json" "$CMD" > /dev/null
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("median %.2f ms over %d runs (hyperfine)" % (r["median"]*1000, len(r["times"])))' "$WORK/h.json"
else
    for _ in $(seq 1 5); do eval "$CMD" > /dev/null; done
    : > "$WORK/times"
    for _ in $(seq 1 "$RUNS"); do
        s=$(date +%s%N); eval "$CMD" > /dev/null; e=$(date +%s%N)
        echo $(( (e - s) / 1000 )) >> "$WORK/times"
    done
    sort -n "$WORK/times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %.2f ms over %d runs (date loop)\n", m/1000, NR}'
fi
