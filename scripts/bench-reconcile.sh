#!/usr/bin/env bash
# Benchmark of `aws-ilm plan` and `aws-ilm apply` (not a test: it prints figures, asserts
# nothing; the targets are docs/reconcile.md's).
#
# Release build; every measurement on a fresh `aws-ilm serve` with a temporary SQLite file, on
# loopback, on this machine's cores (client and server share them):
#   1. initial apply of SIZE users in SIZE/20 groups, 5 groups each (SIZE*5 memberships), with
#      `apply --from --auto-approve --max-rps 0`: events/s, next to `batch` creating the same
#      groups, users and memberships from JSON lines (target: apply >= 90% of batch);
#   2. `plan` of the same source against that state, --max-rps 0: wall time and the requests
#      the emulator counted, next to the formula ceil(U/100) + ceil(G/100) + sum over the
#      managed groups of max(1, ceil(members/100)) (targets: <= 3 s at 10,000 users, count =
#      formula);
#   3. a tenth of SIZE against `serve --throttle` (AWS's 25 writes/s, 40 reads/s) with
#      --max-rps 25: wall time next to the physical limit writes/25 + reads/40, with the
#      emulator's own counts (target: <= 110%, 0 failed);
#   4. peak RSS of `plan` at BIG users (/usr/bin/time -v; target <= 150 MB at 100,000).
# (1)'s apply runs with the audit log off and on (docs/audit.md; AUDIT=off|on|both, default
# both), REPS times (1) alternating; batch's share is taken against the last apply without it;
# every other step runs with it off. The log goes to the temporary folder, never the home's.
# Environment: SIZE (10000: a quick run is SIZE=1000), CONC (32), BIG (SIZE*10),
# ONLY (all; `rss` runs step 4 alone), AUDIT, REPS; CARGO_TARGET_DIR as for cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-10000}
CONC=${CONC:-32}
BIG=${BIG:-$((SIZE * 10))}
AUDIT=${AUDIT:-both}
REPS=${REPS:-1}
case $AUDIT in both) AUDITS="off on" ;; on | off) AUDITS=$AUDIT ;; *) echo "AUDIT: off, on or both" >&2; exit 2 ;; esac

[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q --bin aws-ilm
cargo build --release -q -p aws_ilm_emulator --example seed
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/aws-ilm
SEED=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/seed

WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=18191
ROOT=http://127.0.0.1:$PORT
export TOKEN AWS_ILM_TOKEN=$TOKEN AWS_ILM_BASE_URL=$ROOT AWS_ILM_TENANT_ID=bench
export AWS_ILM_AUDIT_LOG=""

# serve, calc, rate, failed
. scripts/bench/lib.sh

# people USERS GROUPS > file.csv: user i in groups (5i+k) mod GROUPS, k < 5
people() {
  python3 - "$1" "$2" <<'PY'
import sys
n, g = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
out.write("username,employeeid,email,givenname,surname,displayname,groups\n")
for i in range(n):
    u = f"u{i}@example.test"
    gs = ";".join(sorted({f"g{(5 * i + k) % g}" for k in range(5)}))
    out.write(f"{u},E{i},{u},Given,S{i},User {i},{gs}\n")
PY
}

# formula FILE.csv: the requests reading AWS costs once the source is applied
formula() {
  python3 - "$1" <<'PY'
import csv, sys
from collections import Counter
rows = list(csv.DictReader(open(sys.argv[1])))
members = Counter(g for r in rows for g in r["groups"].split(";") if g)
ceil = lambda a: -(-a // 100)
print(max(1, ceil(len(rows))) + max(1, ceil(len(members)))
      + sum(max(1, ceil(m)) for m in members.values()))
PY
}

# stats KEY: the emulator's request counts since the last reset: total, reads, writes
stats() {
  curl -s -H "Authorization: Bearer $TOKEN" "$ROOT/_emulator/stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)["operations"]
w = sum(v for k, v in s.items() if k.startswith(("Create", "Put", "Patch", "Delete")))
r = sum(v for k, v in s.items() if k.startswith(("Get", "List")))
print({"total": w + r, "reads": r, "writes": w}[sys.argv[1]])' "$1"
}
reset() { curl -s -X POST -H "Authorization: Bearer $TOKEN" "$ROOT/_emulator/stats/reset" >/dev/null; }

# batch_creates USERS GROUPS: create events for the groups and the users;
# batch_members USERS GROUPS: their member adds, ids looked up, 100 a PATCH as apply coalesces
batch_creates() {
  python3 - "$1" "$2" <<'PY'
import json, sys
n, g = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for j in range(g):
    out.write(json.dumps({"command": "iam-create-group", "args": {"scim": {"displayName": f"g{j}"}}}) + "\n")
for i in range(n):
    u = f"u{i}@example.test"
    out.write(json.dumps({"command": "iam-create-user", "args": {"user-profile": {
        "username": u, "employeeid": f"E{i}", "email": u, "givenname": "Given",
        "surname": f"S{i}", "displayname": f"User {i}"}}}) + "\n")
PY
}
batch_members() {
  python3 - "$1" "$2" "$ROOT/bench/scim/v2" "$TOKEN" <<'PY'
import json, sys, urllib.parse, urllib.request
n, g, base, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def pages(kind):
    cursor, out = "", []
    while True:
        url = f"{base}/{kind}?count=100&cursor={urllib.parse.quote(cursor)}"
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        page = json.load(urllib.request.urlopen(req))
        out += page.get("Resources", [])
        cursor = page.get("nextCursor")
        if not cursor:
            return out
users = {u["userName"]: u["id"] for u in pages("Users")}
groups = {x["displayName"]: x["id"] for x in pages("Groups")}
members = {j: [] for j in range(g)}
for i in range(n):
    for j in {(5 * i + k) % g for k in range(5)}:
        members[j].append(users[f"u{i}@example.test"])
for j, ids in members.items():
    for c in range(0, len(ids), 100):
        print(json.dumps({"command": "iam-update-group", "args": {
            "scim": {"id": groups[f"g{j}"]}, "memberIdsToAdd": ids[c:c + 100]}}))
PY
}

# elapsed SUMMARY_FILE -> the run's seconds from its summary
elapsed() { grep -o '[0-9.]* s, [0-9.]* events/s' "$1" | tail -1 | cut -d' ' -f1; }
events_of() { grep -o '[0-9]* events:' "$1" | head -1 | cut -d' ' -f1; }
now() { date +%s.%N; }

NGROUPS=$((SIZE / 20))
[ "$NGROUPS" -ge 5 ] || NGROUPS=5
echo "== machine: $(nproc) cores; client and emulator on loopback, SQLite file; SIZE=$SIZE users, $NGROUPS groups, $((SIZE * 5)) memberships"

people "$SIZE" "$NGROUPS" >"$WORK/source.csv"

if [ "${ONLY:-all}" = all ]; then
# 1. initial apply vs batch (step 2 plans against the last apply's emulator)
APPLY_OFF=""
for rep in $(seq "$REPS"); do
for audit in $AUDITS; do
  serve "initial-$rep-$audit"
  log=""; [ "$audit" = on ] && log="$WORK/audit-apply-$rep.jsonl"
  T0=$(now)
  AWS_ILM_AUDIT_LOG=$log "$BIN" apply --from "$WORK/source.csv" --auto-approve --max-rps 0 \
    --concurrency "$CONC" --results /dev/null --no-progress >/dev/null 2>"$WORK/apply.sum" || true
  T1=$(now)
  APPLY=$(rate "$WORK/apply.sum")
  [ "$audit" = off ] && APPLY_OFF=$APPLY
  printf '%-62s %10.0f events/s  (%s events, %.1f s wall with the reads; failed: %s)\n' \
    "apply --from, initial load, --max-rps 0, audit $audit" "$APPLY" \
    "$(events_of "$WORK/apply.sum")" "$(calc "$T1 - $T0")" "$(failed "$WORK/apply.sum")"
  grep '^apply:' "$WORK/apply.sum" | sed 's/^/    /'
done
done
APPLY=${APPLY_OFF:-$APPLY}

# 2. plan of the applied state
reset
T0=$(now)
"$BIN" plan --from "$WORK/source.csv" --max-rps 0 --concurrency "$CONC" >"$WORK/plan.out" \
  2>&1 && CODE=0 || CODE=$?
T1=$(now)
printf '%-62s %10.2f s  (exit %s; %s requests, formula %s)\n' \
  "plan, $SIZE users, $NGROUPS groups, converged, --max-rps 0" "$(calc "$T1 - $T0")" "$CODE" \
  "$(stats total)" "$(formula "$WORK/source.csv")"

serve batch
batch_creates "$SIZE" "$NGROUPS" >"$WORK/creates.jsonl"
"$BIN" batch "$WORK/creates.jsonl" --max-rps 0 --concurrency "$CONC" --results /dev/null \
  --no-progress 2>"$WORK/creates.sum" || true
batch_members "$SIZE" "$NGROUPS" >"$WORK/members.jsonl"
"$BIN" batch "$WORK/members.jsonl" --max-rps 0 --concurrency "$CONC" --results /dev/null \
  --no-progress 2>"$WORK/members.sum" || true
EV=$(( $(events_of "$WORK/creates.sum") + $(events_of "$WORK/members.sum") ))
SECS=$(calc "$(elapsed "$WORK/creates.sum") + $(elapsed "$WORK/members.sum")")
BATCH=$(calc "$EV / $SECS")
printf '%-62s %10.0f events/s  (%s events, %.1f s; failed: %s + %s)\n' \
  "batch: the same groups, users, then member adds (ids looked up)" "$BATCH" "$EV" "$SECS" \
  "$(failed "$WORK/creates.sum")" "$(failed "$WORK/members.sum")"
printf '%-62s %10.0f%%\n' "apply events/s as a share of batch's" "$(calc "$APPLY * 100 / $BATCH")"

# 3. throttled
SMALL=$((SIZE / 10))
SMALL_GROUPS=$((NGROUPS / 10))
[ "$SMALL_GROUPS" -ge 5 ] || SMALL_GROUPS=5
people "$SMALL" "$SMALL_GROUPS" >"$WORK/small.csv"
serve throttled --throttle
T0=$(now)
"$BIN" apply --from "$WORK/small.csv" --auto-approve --max-rps 25 --concurrency 8 \
  --results /dev/null --no-progress >/dev/null 2>"$WORK/thr.sum" || true
T1=$(now)
W=$(stats writes)
R=$(stats reads)
LIMIT=$(calc "$W / 25 + $R / 40")
printf '%-62s %10.1f s  (limit %.1f s = %s writes/25 + %s reads/40: %.0f%%; failed: %s)\n' \
  "apply --from, $SMALL users, against --throttle, --max-rps 25" "$(calc "$T1 - $T0")" \
  "$LIMIT" "$W" "$R" "$(calc "($T1 - $T0) * 100 / $LIMIT")" "$(failed "$WORK/thr.sum")"
grep '^apply:' "$WORK/thr.sum" | sed 's/^/    /'

fi

# 4. peak RSS of plan at BIG users (seeded through the HTTP API; the source matches them)
serve big
"$SEED" "$ROOT/bench/scim/v2" "$TOKEN" "$BIG" seed- "$WORK/big.ids" 64 >/dev/null
python3 - "$BIG" >"$WORK/big.csv" <<'PY'
import sys
out = sys.stdout
out.write("username,email,givenname,surname,displayname\n")
for n in range(int(sys.argv[1])):
    out.write(f"seed-{n},seed-{n}@example.com,Seed,User{n},User {n}\n")
PY
reset
/usr/bin/time -v "$BIN" plan --from "$WORK/big.csv" --max-rps 0 --concurrency "$CONC" \
  >"$WORK/big.out" 2>"$WORK/big.sum" || true
RSS=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/big.sum")
WALL=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/big.sum")
printf '%-62s %10.1f MB  (%s wall, %s requests; %s)\n' \
  "peak RSS of plan, $BIG users" "$(calc "$RSS / 1024")" "$WALL" "$(stats total)" \
  "$(tail -1 "$WORK/big.out")"
