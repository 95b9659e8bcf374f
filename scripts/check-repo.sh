#!/usr/bin/env bash
# Repository rules that the compiler and clippy cannot see. Fails naming file:line.
#
# 1. Source comments cite docs/ only. A .rs, .toml or .sh file outside target/ must not cite
#    documents a reader of this repository cannot open: the product spec, the AWS reference
#    notes and their numbered sections, issue numbers, the shared folder or an architecture file
#    outside docs/. Behaviour decisions are written in docs/*.md and cited there; public
#    standards ("RFC 7644 §3.5.2") are fine. Files listed in scripts/citation-allowlist.txt are skipped
#    while their rewrite is pending; a listed file that no longer cites is an error too, so the
#    list can only shrink.
# 2. Every package of the workspace inherits the one `rust-version` of the root
#    [workspace.package]: its Cargo.toml says `rust-version.workspace = true`. A Cargo.toml that
#    is its own workspace (fuzz/, nightly only, see docs/fuzzing.md) has no root to inherit from
#    and is skipped.
# 3. Every entry of the root [workspace.dependencies] is used by some package, so the list says
#    what the product really depends on.
set -euo pipefail
cd "$(dirname "$0")/.."

allowlist=scripts/citation-allowlist.txt
# The bracketed characters keep this file from matching its own pattern.
pattern='PRODUCT[.]md|spec[ ]§|[Ii]ssue [0-9]|[.][.]/shared|ARCHITECTURE[.]md'
failed=0

files() {
    find . \( -name target -o -name .git \) -prune -o -type f \( "$@" \) -print | sed 's|^\./||' | sort
}

declare -A allowed=()
if [ -f "$allowlist" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line%%#*}"
        line="${line//[[:space:]]/}"
        [ -n "$line" ] && allowed["$line"]=1
    done <"$allowlist"
fi

while IFS= read -r f; do
    hits=$(grep -nE "$pattern" "$f" || true)
    if [ -n "${allowed[$f]:-}" ]; then
        if [ -z "$hits" ]; then
            echo "$allowlist: $f no longer cites outside docs/: remove it from the list" >&2
            failed=1
        fi
        continue
    fi
    if [ -n "$hits" ]; then
        while IFS= read -r hit; do
            echo "$f:${hit%%:*}: cites a document outside the repository (cite docs/… instead): ${hit#*:}" >&2
        done <<<"$hits"
        failed=1
    fi
done < <(files -name '*.rs' -o -name '*.toml' -o -name '*.sh')

for f in "${!allowed[@]}"; do
    if [ ! -f "$f" ]; then
        echo "$allowlist: $f does not exist: remove it from the list" >&2
        failed=1
    fi
done

if ! awk '/^\[/{s=$0} s=="[workspace.package]" && /^rust-version[ ]*=/{found=1} END{exit !found}' Cargo.toml; then
    echo "Cargo.toml: [workspace.package] declares no rust-version" >&2
    failed=1
fi

while IFS= read -r f; do
    grep -q '^\[package\]' "$f" || continue
    if [ "$f" != Cargo.toml ] && grep -q '^\[workspace\]' "$f"; then
        continue
    fi
    if ! grep -qE '^rust-version\.workspace[ ]*=[ ]*true' "$f"; then
        line=$(grep -n '^\[package\]' "$f" | head -1 | cut -d: -f1)
        echo "$f:$line: [package] lacks \`rust-version.workspace = true\`" >&2
        failed=1
    fi
done < <(files -name Cargo.toml)

members=(Cargo.toml crates/*/Cargo.toml)
while IFS= read -r dep; do
    if ! grep -qE "^${dep}([.]workspace|[ ]*=[ ]*\{[^}]*workspace[ ]*=[ ]*true)" "${members[@]}"; then
        line=$(grep -nE "^${dep}[ ]*=" Cargo.toml | head -1 | cut -d: -f1)
        echo "Cargo.toml:$line: workspace dependency \`$dep\` is used by no package: remove it" >&2
        failed=1
    fi
done < <(awk '/^\[/{s=$0; next} s=="[workspace.dependencies]" && /^[A-Za-z0-9_-]+[ ]*=/{sub(/[ ]*=.*/, ""); print}' Cargo.toml)

exit "$failed"
