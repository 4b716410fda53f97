#!/usr/bin/env bash
# Fuzzes the value parsers, header detection and the rules-file loader (proptest harnesses
# named fuzz_*) for a fixed budget of cases each. CI runs them at proptest's default 256
# cases with the other tests; run longer by hand:  scripts/fuzz.sh [CASES]   (default 20000)
# A failing case is printed minimised; add it as a regression case to the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
PROPTEST_CASES=$cases cargo test --lib fuzz_
