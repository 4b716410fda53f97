#!/usr/bin/env bash
# Remakes docs/*.png: the sample report rendered by LibreOffice, as a user sees it, in
# English (management, summary, actions) and in Chinese (management-zh, summary-zh,
# actions-zh). Three monthly runs (Sep, Oct, Nov 2026) in a fresh workspace per language,
# so that the Management sheet's trend has points; the pictures are of the November report.
# Needs: apt-get install -y libreoffice-calc-nogui poppler-utils fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
mkdir -p docs

# shoot_language LANG SUFFIX MANAGEMENT_TITLE SUMMARY_TITLE ACTIONS_HEADER (the Owner column)
shoot_language() {
    local lang=$1 suffix=$2
    ./target/debug/payback init "$work/$lang" --language "$lang" >/dev/null
    for as_of in 2026-09-30 2026-10-31 2026-11-30; do
        (cd "$work/$lang" && "$OLDPWD/target/debug/payback" run --as-of "$as_of" --quiet) || [ $? -eq 1 ]
    done
    soffice --headless --convert-to pdf --outdir "$work/$lang" "$work/$lang/out/aging-report.xlsx" >/dev/null 2>&1
    local pdf="$work/$lang/aging-report.pdf"
    local pages
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    # The first page after page $2 with a line $1 (sheets span a varying number of pages:
    # the title of Management and Summary, the Owner header of Actions find them). grep
    # reads the whole page: `grep -q` would stop pdftotext early, and pipefail fail it.
    page_with() {
        for ((p = $2 + 1; p <= pages; p++)); do
            if pdftotext -f "$p" -l "$p" "$pdf" - | grep -xF "$1" >/dev/null; then echo "$p"; return; fi
        done
        echo "no page starts with '$1'" >&2
        return 1
    }
    shoot() { pdftoppm -png -r 90 -f "$1" -l "$1" -singlefile "$pdf" "docs/$2$suffix"; }
    local management summary actions
    management=$(page_with "$3" 0)
    summary=$(page_with "$4" "$management")
    actions=$(page_with "$5" "$summary")
    shoot "$management" management
    shoot "$summary" summary
    shoot "$actions" actions
}


shoot_language en "" 'Collection report' 'Accounts receivable aging' 'Owner'
shoot_language zh "-zh" '回款报告' '应收账款账龄' '负责人'
echo "wrote docs/{management,summary,actions}.png and docs/{management,summary,actions}-zh.png"
