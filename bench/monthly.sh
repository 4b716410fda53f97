#!/usr/bin/env bash
# The state benchmark of issue 24: twelve monthly runs of a ledger of about a million
# invoices with the same --state folder carried from month to month, so that what the
# state database costs as history accumulates is measured (month 12 against month 1).
# Writes the table into BENCHMARKS.md between the "monthly:begin" and "monthly:end" markers.
#
#   bench/monthly.sh                      # 1M invoices, 12 month-ends, one series
#   REPEAT=3 bench/monthly.sh             # three series (fresh state each), medians kept
#   N=100000 MONTHS=3 SKIP=build RESULTS=/tmp/m.md bench/monthly.sh   # a quick look
#   N=100000 PAYMENTS=1 bench/monthly.sh  # with each month's bank receipts matched
#
# Options (environment variables):
#   N                invoices a month-end's export holds (about)   default 1000000
#   MONTHS           month-ends, the last on 2026-11-30            default 12
#   REPEAT           series, each from an empty state folder       default 1
#   PAYMENTS         1: pass each month's payments.csv (--payments) default 0
#   SKIP             comma list: build                             default none
#   SEED             generator seed                                default 42
#   SCRATCH          inputs, outputs and state (not committed)     default /tmp/payback-monthly
#   RESULTS          the Markdown file to update                   default BENCHMARKS.md (repo root)
#   CARGO_TARGET_DIR where the release build goes                  default target/ (repo root)
#
# The inputs are `bench_gen N DIR --months MONTHS --seed SEED`: the same customers every
# month, invoices issued, paid in full or in part, and leaving the export from one month-end
# to the next, with each month's follow-ups (promises and disputes) and unposted bank
# receipts. Each month runs
#   payback run --invoices month-MM/invoices.csv --contacts … --projects … \
#     --followups month-MM/followups.csv [--payments month-MM/payments.csv] \
#     --as-of <month-end> --out out-MM --state state --quiet
# The payments are left out unless PAYMENTS=1: payment matching is quadratic today (each
# payment looks its payer up among all customers and scans every open invoice), which at a
# million invoices and 13,000 receipts a month takes minutes and would hide the state's cost.
# with the same state folder, and is measured by `/usr/bin/time -v` (wall, CPU = user + sys,
# peak RSS); after it the sizes of state/payback.db, its -wal file and the backup the run
# made (state/payback.backup.db) are recorded. Speed is never asserted: this only measures.
set -euo pipefail

COMMAND=""
for v in N MONTHS REPEAT PAYMENTS SKIP SEED; do
    [[ -n "${!v-}" ]] && COMMAND+="$v=$(printf '%q' "${!v}") "
done
COMMAND+="bench/monthly.sh"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${N:-1000000}
MONTHS=${MONTHS:-12}
REPEAT=${REPEAT:-1}
PAYMENTS=${PAYMENTS:-0}
SKIP=",${SKIP:-},"
SEED=${SEED:-42}
SCRATCH=${SCRATCH:-/tmp/payback-monthly}
RESULTS=${RESULTS:-$ROOT/BENCHMARKS.md}

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (/usr/bin/time)"
    as_root apt-get update -qq && as_root apt-get install -y -qq time >/dev/null
fi
if [[ "$SKIP" != *",build,"* ]]; then
    say "building in release mode (the first build takes 12+ minutes)"
    cargo build --release --locked --bin payback --example bench_gen
fi
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
for tool in payback examples/bench_gen; do
    [[ -x "$BIN/$tool" ]] || { echo "missing $BIN/$tool: build first" >&2; exit 2; }
done

# ---- inputs ---------------------------------------------------------------------------
LEDGER="$SCRATCH/ledger-n$N-m$MONTHS"
# The format is in the stamp: a ledger of an older bench_gen (no paid_date) is made again.
stamp="seed=$SEED paid_date"
if ! { [[ -f "$LEDGER/.stamp" ]] && grep -qxF -- "$stamp" "$LEDGER/.stamp"; }; then
    say "generating $MONTHS month-ends of about $N invoices into $LEDGER"
    rm -rf "$LEDGER"
    "$BIN/examples/bench_gen" "$N" "$LEDGER" --months "$MONTHS" --seed "$SEED" >&2
    echo "$stamp" > "$LEDGER/.stamp"
fi

# ---- measuring ------------------------------------------------------------------------
RAW="$SCRATCH/monthly.tsv"   # series month as_of rows wall cpu rss_kib db wal backup (bytes)
: > "$RAW"
wall_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<< "$1"; }
size() { if [[ -f "$1" ]]; then stat -c %s "$1"; else echo 0; fi; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((series = 1; series <= REPEAT; series++)); do
    work="$SCRATCH/work"
    rm -rf "$work" && mkdir -p "$work"
    state="$work/state"
    while IFS=$'\t' read -r month as_of rows; do
        dir="$LEDGER/$month"
        report="$SCRATCH/time.txt" status=0 payments=()
        [[ "$PAYMENTS" == 1 ]] && payments=(--payments "$dir/payments.csv")
        # A fresh --out folder per month, all removed after the series (see bench/run.sh on
        # ext4 and files created right after deleting as many).
        /usr/bin/time -v -o "$report" "$BIN/payback" run --invoices "$dir/invoices.csv" \
            --contacts "$LEDGER/contacts.csv" --projects "$LEDGER/projects.csv" \
            --followups "$dir/followups.csv" ${payments[@]+"${payments[@]}"} \
            --as-of "$as_of" --out "$work/out-$month" --state "$state" --quiet \
            > "$SCRATCH/last.out" 2> "$SCRATCH/last.err" || status=$?
        if (( status > 1 )); then   # 1: rows rejected or references not found; more: failed
            echo "failed ($status): $month" >&2; cat "$SCRATCH/last.err" >&2; exit 2
        fi
        wall=$(wall_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$report")")
        user=$(sed -n 's/.*User time (seconds): //p' "$report")
        sys=$(sed -n 's/.*System time (seconds): //p' "$report")
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$series" "$month" "$as_of" "$rows" "$wall" "$cpu" "$rss" \
            "$(size "$state/payback.db")" "$(size "$state/payback.db-wal")" "$(size "$state/payback.backup.db")" >> "$RAW"
        say "series $series $month ($as_of, $rows rows): ${wall}s wall, ${cpu}s CPU, $((rss / 1024)) MiB," \
            "payback.db $(( $(size "$state/payback.db") / 1048576 )) MiB"
    done < "$LEDGER/months.tsv"
    rm -rf "$work"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ---------------------------------------------------------------------------
table=$(awk -F'\t' '
    function median(list,   a, k, i, j, t) {
        k = split(list, a, " ")
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function mb(bytes) { return sprintf("%.1f", bytes / 1048576) }
    {
        if (!($2 in runs)) { order[++count] = $2; asof[$2] = $3; rows[$2] = $4 }
        runs[$2]++; wall[$2] = wall[$2] " " $5; cpu[$2] = cpu[$2] " " $6; rss[$2] = rss[$2] " " $7
        db[$2] = $8; wal[$2] = $9; backup[$2] = $10   # the same in every series: the last kept
    }
    END {
        print "| month | as of | invoice rows | wall s | CPU s (user+sys) | peak RSS MiB | payback.db MiB | -wal MiB | payback.backup.db MiB | series |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            m = order[i]; W[i] = median(wall[m]); C[i] = median(cpu[m]); R[i] = median(rss[m]) / 1024
            printf "| %s | %s | %d | %.2f | %.2f | %.0f | %s | %s | %s | %d |\n", m, asof[m], rows[m], W[i], C[i], R[i], mb(db[m]), mb(wal[m]), mb(backup[m]), runs[m]
        }
        if (count > 1 && W[1] > 0 && C[1] > 0) {
            print ""
            printf "Last month against the first: wall %.2f×, CPU %.2f×, peak RSS %.2f×.\n", W[count] / W[1], C[count] / C[1], R[count] / R[1]
        }
    }' "$RAW")

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
section=$(cat <<EOF
<!-- monthly:begin (written by bench/monthly.sh; edit outside these markers) -->
Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock examples || echo '+changes')\` with:

\`\`\`sh
$COMMAND
\`\`\`

Machine: $(nproc) cores ($cpu_model), $ram RAM, $(uname -sr); $(rustc --version).
Load average before / after: $LOAD_BEFORE / $LOAD_AFTER.

Inputs: \`bench_gen $N DIR --months $MONTHS --seed $SEED\`; each month
\`payback run --invoices month-MM/invoices.csv --contacts … --projects … --followups month-MM/followups.csv$([[ "$PAYMENTS" == 1 ]] && echo ' --payments month-MM/payments.csv') --as-of <month-end> --out … --state state --quiet\`,
the same state folder carried from month to month. Medians over the series; sizes after
the month's run.

$table
<!-- monthly:end -->
EOF
)
if [[ -f "$RESULTS" ]] && grep -q '<!-- monthly:begin' "$RESULTS"; then
    SECTION="$section" python3 - "$RESULTS" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = re.sub(r"<!-- monthly:begin.*?<!-- monthly:end -->", lambda _: os.environ["SECTION"], text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
else
    printf '\n## State over %s months\n\n%s\n' "$MONTHS" "$section" >> "$RESULTS"
fi
say "wrote $RESULTS"
printf '%s\n' "$table"
