# Helpers the benchmark scripts share (sourced, not run). They expect BIN (the aws-ilm binary),
# WORK (a temporary folder), PORT and TOKEN to be set, and keep the running emulator's pid in
# PID (the caller's EXIT trap kills it).

# serve NAME [flags...]: a fresh emulator on $WORK/NAME.db, replacing the previous one
serve() {
  local name=$1; shift
  [ -n "${PID:-}" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  "$BIN" serve --listen "127.0.0.1:$PORT" --db "$WORK/$name.db" --tenant-id bench \
    --token "$TOKEN" "$@" >"$WORK/$name.out" 2>/dev/null &
  PID=$!
  for _ in $(seq 100); do grep -q '^stats:' "$WORK/$name.out" 2>/dev/null && return; sleep 0.1; done
  echo "emulator did not start" >&2; exit 1
}

calc() { awk "BEGIN { print $1 }"; }

# rate SUMMARY_FILE -> "events/s" from a batch or apply summary
rate() { grep -o '[0-9.]* events/s' "$1" | tail -1 | cut -d' ' -f1; }
failed() { grep -o '[0-9]* failed' "$1" | head -1 | cut -d' ' -f1; }
