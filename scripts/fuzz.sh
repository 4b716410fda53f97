#!/usr/bin/env bash
# Fuzzes the readers (proptest harnesses named fuzz_*) for a fixed budget of cases each:
# the value parsers, header detection, the rules-file loader, CSV structure (quotes,
# delimiters, line ends, bytes that are not UTF-8) and workbook containers (.ods repeats
# up to 2^64-1, .xlsx shared-strings declarations), issue 21. CI runs them at proptest's
# default 256 cases with the other tests; run longer by hand:  scripts/fuzz.sh [CASES]
# (default 20000). The cases run one at a time under an address-space cap (FUZZ_MEMORY_KIB,
# default 2 GiB), so a case that would blow memory up fails instead of eating the machine.
# A failing case is printed minimised; add it as a regression case to the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
cap=${FUZZ_MEMORY_KIB:-2097152}
# Build outside the cap (the compiler needs more), then run the test binary under it.
binary=$(cargo test --lib --no-run --message-format=json 2>/dev/null \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$binary" ] || { echo "fuzz.sh: could not build the library tests" >&2; exit 2; }
(ulimit -v "$cap" && PROPTEST_CASES=$cases exec "$binary" fuzz_ --test-threads=1)
