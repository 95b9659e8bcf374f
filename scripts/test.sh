#!/usr/bin/env bash
# The one command that runs every check: repository rules (scripts/check-repo.sh), formatting,
# lints, and all tests of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x scripts/install-test-deps.sh ]; then
    scripts/install-test-deps.sh
fi

scripts/check-repo.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
