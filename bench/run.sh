#!/usr/bin/env bash
# Benchmark of issue 7: payback's full run against the read+write floor and the pandas +
# openpyxl baseline, on the same generated inputs. Writes the figures into BENCHMARKS.md
# (between the "bench:begin" and "bench:end" markers; the text around them is kept).
#
#   bench/run.sh                       # 100k and 1M from CSV, 1M from xlsx, 3 runs each
#   REPEAT=5 bench/run.sh              # more runs per figure
#   BIG=1 bench/run.sh                 # adds 10M invoices from CSV (long)
#   SKIP=baseline bench/run.sh         # leave out a part: baseline, floor, payback, build
#
# The state over twelve monthly runs (issue 24) is bench/monthly.sh (its header has the
# options; it writes the "State over 12 months" section of BENCHMARKS.md).
#
# Options (environment variables):
#   SIZES            invoice counts read from CSV          default "100000 1000000"
#   XLSX_SIZES       invoice counts read from xlsx         default "1000000"
#   BIG=1            add 10000000 to SIZES                 default off
#   REPEAT           runs per figure (the median is kept)  default 3
#   REPEAT_BASELINE  runs of the pandas baseline           default REPEAT
#   BASELINE_MAX_N   largest N the baseline is run for     default 1000000
#   SKIP             comma list: baseline, floor, payback, build
#   SEED             generator seed                        default 42
#   SCRATCH          inputs and outputs (not committed)    default /tmp/payback-bench
#   RESULTS          the Markdown file to update           default BENCHMARKS.md (repo root)
#   PYTHON           the baseline's interpreter            default python3
#   CARGO_TARGET_DIR where the release build goes          default target/ (repo root)
#
# Each figure is the median over its runs of what `/usr/bin/time -v` reports: wall time,
# CPU time (user + sys) and peak RSS of the process. The floor is `examples/bench_floor.rs`
# (read with payback's crates, write the Detail sheet's cells with payback's writer);
# "floor write" is its write phase measured inside the read+write process. Speed is never
# asserted: this script only measures and reports.
set -euo pipefail

# The command as given, for BENCHMARKS.md.
COMMAND=""
for v in SIZES XLSX_SIZES BIG REPEAT REPEAT_BASELINE BASELINE_MAX_N SKIP SEED; do
    [[ -n "${!v-}" ]] && COMMAND+="$v=$(printf '%q' "${!v}") "
done
COMMAND+="bench/run.sh"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZES=${SIZES:-"100000 1000000"}
XLSX_SIZES=${XLSX_SIZES-"1000000"}
[[ "${BIG:-0}" == 1 ]] && SIZES="$SIZES 10000000"
REPEAT=${REPEAT:-3}
REPEAT_BASELINE=${REPEAT_BASELINE:-$REPEAT}
BASELINE_MAX_N=${BASELINE_MAX_N:-1000000}
SKIP=",${SKIP:-},"
SEED=${SEED:-42}
SCRATCH=${SCRATCH:-/tmp/payback-bench}
RESULTS=${RESULTS:-$ROOT/BENCHMARKS.md}
PYTHON=${PYTHON:-python3}
AS_OF=2026-11-30

skipped() { [[ "$SKIP" == *",$1,"* ]]; }
say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- tools --------------------------------------------------------------------------
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (/usr/bin/time)"
    as_root apt-get update -qq && as_root apt-get install -y -qq time >/dev/null
fi
has_baseline_packages() { "$PYTHON" -c 'import pandas, openpyxl' 2>/dev/null; }
if ! skipped baseline && ! has_baseline_packages; then
    say "installing the baseline's packages: pandas openpyxl"
    # pip where the interpreter has it (a system Python refuses plain pip installs: PEP 668),
    # else Debian's packages (they serve /usr/bin/python3).
    "$PYTHON" -m pip install --quiet pandas openpyxl 2>/dev/null \
        || "$PYTHON" -m pip install --quiet --break-system-packages pandas openpyxl 2>/dev/null \
        || { command -v apt-get >/dev/null \
            && as_root apt-get update -qq && as_root apt-get install -y -qq python3-pandas python3-openpyxl >/dev/null; } \
        || true
    has_baseline_packages || { echo "could not install pandas and openpyxl for $PYTHON" >&2; exit 2; }
fi
if ! skipped build; then
    say "building in release mode (the first build takes 12+ minutes)"
    cargo build --release --locked --bin payback --example bench_gen --example bench_floor
fi
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
for tool in payback examples/bench_gen examples/bench_floor; do
    [[ -x "$BIN/$tool" ]] || { echo "missing $BIN/$tool: build first" >&2; exit 2; }
done

# ---- measuring ----------------------------------------------------------------------
mkdir -p "$SCRATCH"
RAW="$SCRATCH/results.tsv"   # n input tool run wall cpu rss_kib
: > "$RAW"

# Seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss".
wall_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<< "$1"; }

# timed N INPUT TOOL RUN -- command...: one run, appended to $RAW.
timed() {
    local n=$1 input=$2 tool=$3 run=$4; shift 5
    local report="$SCRATCH/time.txt" status=0
    /usr/bin/time -v -o "$report" "$@" > "$SCRATCH/last.out" 2> "$SCRATCH/last.err" || status=$?
    if (( status > 1 )); then   # payback exits 1 when it rejected rows; anything more failed
        echo "failed ($status): $*" >&2; cat "$SCRATCH/last.err" >&2; exit 2
    fi
    local wall user sys rss
    wall=$(wall_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$report")")
    user=$(sed -n 's/.*User time (seconds): //p' "$report")
    sys=$(sed -n 's/.*System time (seconds): //p' "$report")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$input" "$tool" "$run" "$wall" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$rss" >> "$RAW"
    say "$tool $input N=$n run $run: ${wall}s wall, $(tail -1 "$RAW" | cut -f6)s CPU, $((rss / 1024)) MiB"
}

# The floor's own report of its write phase (JSON on stderr) as a row of $RAW.
floor_write_phase() {
    local n=$1 input=$2 run=$3 line
    line=$(grep '^{' "$SCRATCH/last.err" | tail -1)
    field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<< "$line"; }
    printf '%s\t%s\tfloor write\t%s\t%s\t%s\t%s\n' "$n" "$input" "$run" \
        "$(field write_wall)" "$(field write_cpu)" "$(field write_peak_rss_kib)" >> "$RAW"
}

generate() {   # generate N [--xlsx]: inputs into $SCRATCH/nN, made once per N, seed and kind
    local n=$1 dir="$SCRATCH/n$1" stamp
    stamp="seed=$SEED ${2:-}"
    if [[ -f "$dir/.stamp" ]] && grep -qxF -- "$stamp" "$dir/.stamp"; then return; fi
    say "generating $n invoices into $dir"
    rm -rf "$dir"
    "$BIN/examples/bench_gen" "$n" "$dir" --seed "$SEED" ${2:+"$2"} >&2
    echo "$stamp" >> "$dir/.stamp"
}

bench() {   # bench N KIND(csv|xlsx)
    local n=$1 kind=$2 dir="$SCRATCH/n$1" run
    local input="$dir/invoices.$kind" work="$SCRATCH/work/$kind-$1"
    rm -rf "$work" && mkdir -p "$work"
    # Beyond the default input limits (2M rows, 30M cells a file: [limits] in the rules),
    # a rules file that raises them; everything else stays the built-in rules.
    local rules=()
    if (( n > 2000000 )); then
        printf '[limits]\nmax_rows = %d\nmax_cells = %d\n' $((n + 1000)) $((n * 12)) > "$SCRATCH/limits.toml"
        rules=(--rules "$SCRATCH/limits.toml")
    fi
    for ((run = 1; run <= REPEAT; run++)); do
        if ! skipped payback; then
            # A fresh folder per run, all removed after the last: ext4 is slow to create
            # files right after deleting as many (its "recently deleted" inode check), which
            # a monthly run never meets and which would otherwise cost the 20k emails of 1M
            # invoices seconds of kernel time.
            timed "$n" "$kind" payback "$run" -- "$BIN/payback" run --invoices "$input" \
                --contacts "$dir/contacts.csv" --projects "$dir/projects.csv" --as-of "$AS_OF" \
                --out "$work/run$run/out" --state "$work/run$run/state" --quiet ${rules[@]+"${rules[@]}"}
        fi
        if ! skipped floor; then
            timed "$n" "$kind" "floor read" "$run" -- "$BIN/examples/bench_floor" read "$input"
            rm -f "$work/floor.xlsx"
            timed "$n" "$kind" "floor read+write" "$run" -- "$BIN/examples/bench_floor" both "$input" \
                "$work/floor.xlsx" --as-of "$AS_OF"
            floor_write_phase "$n" "$kind" "$run"
        fi
    done
    if ! skipped baseline && (( n <= BASELINE_MAX_N )); then
        for ((run = 1; run <= REPEAT_BASELINE; run++)); do
            timed "$n" "$kind" baseline "$run" -- "$PYTHON" bench/pandas_aging.py "$input" \
                "$work/baseline.xlsx" --as-of "$AS_OF"
        done
    fi
    rm -rf "$work"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do generate "$n"; bench "$n" csv; done
for n in $XLSX_SIZES; do generate "$n" --xlsx; bench "$n" xlsx; done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -------------------------------------------------------------------------
# Medians per (n, input, tool) and the ratios, as Markdown.
table=$(awk -F'\t' '
    function median(list,   a, k, i, j, t) {
        k = split(list, a, " ")
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function human(n) { return n >= 1000000 ? sprintf("%gM", n / 1000000) : sprintf("%gk", n / 1000) }
    {
        key = $1 SUBSEP $2 SUBSEP $3
        if (!(key in runs)) { order[++count] = key }
        runs[key]++; wall[key] = wall[key] " " $5; cpu[key] = cpu[key] " " $6; rss[key] = rss[key] " " $7
        if (!(($1 SUBSEP $2) in seen)) { seen[$1 SUBSEP $2] = 1; cases[++ncases] = $1 SUBSEP $2 }
    }
    END {
        print "| N | input | what | wall s | CPU s (user+sys) | peak RSS MiB | runs |"
        print "|---:|---|---|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            split(order[i], k, SUBSEP)
            w = median(wall[order[i]]); c = median(cpu[order[i]]); r = median(rss[order[i]]) / 1024
            W[order[i]] = w; C[order[i]] = c; R[order[i]] = r
            printf "| %s | %s | %s | %.2f | %.2f | %.0f | %d |\n", human(k[1]), k[2], k[3], w, c, r, runs[order[i]]
        }
        print ""
        print "| N | input | payback / floor (wall) | payback / floor (CPU) | baseline / payback (wall) | baseline / payback (CPU) | payback peak RSS |"
        print "|---:|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= ncases; i++) {
            split(cases[i], k, SUBSEP); p = cases[i] SUBSEP "payback"; f = cases[i] SUBSEP "floor read+write"; b = cases[i] SUBSEP "baseline"
            pf = (p in W && f in W && W[f] > 0) ? sprintf("%.2f×", W[p] / W[f]) : "–"
            pfc = (p in C && f in C && C[f] > 0) ? sprintf("%.2f×", C[p] / C[f]) : "–"
            bp = (p in W && b in W && W[p] > 0) ? sprintf("%.1f×", W[b] / W[p]) : "–"
            bpc = (p in C && b in C && C[p] > 0) ? sprintf("%.1f×", C[b] / C[p]) : "–"
            pr = (p in R) ? sprintf("%.0f MiB", R[p]) : "–"
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", human(k[1]), k[2], pf, pfc, bp, bpc, pr
        }
    }' "$RAW")

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
pandas_version=$("$PYTHON" -c 'import pandas, openpyxl, sys; print(f"pandas {pandas.__version__}, openpyxl {openpyxl.__version__}, Python {sys.version.split()[0]}")' 2>/dev/null || echo "not installed")
section=$(cat <<EOF
<!-- bench:begin (written by bench/run.sh; edit outside these markers) -->
Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock examples || echo '+changes')\` with:

\`\`\`sh
$COMMAND
\`\`\`

Machine: $(nproc) cores ($cpu_model), $ram RAM, $(uname -sr); $(rustc --version); $pandas_version.
Load average before / after: $LOAD_BEFORE / $LOAD_AFTER (the machine is shared: compare
ratios taken in the same session, not single times).

Inputs: \`bench_gen N --seed $SEED\` (invoices, contacts, projects; as of $AS_OF). payback
runs \`payback run --invoices … --contacts … --projects … --as-of $AS_OF --out … --state …\`
(all sheets, summary.json, actions.json, emails, outbox.csv); the baseline runs
\`bench/pandas_aging.py\` on the same invoices file.

$table
<!-- bench:end -->
EOF
)
if [[ -f "$RESULTS" ]] && grep -q '<!-- bench:begin' "$RESULTS"; then
    SECTION="$section" "$PYTHON" - "$RESULTS" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = re.sub(r"<!-- bench:begin.*?<!-- bench:end -->", lambda _: os.environ["SECTION"], text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
else
    printf '# Benchmarks\n\n%s\n' "$section" > "$RESULTS"
fi
say "wrote $RESULTS"
printf '%s\n' "$table"
