#!/usr/bin/env bash
# Remakes docs/*.png: the sample report rendered by LibreOffice, as a user sees it.
# Three monthly runs (Sep, Oct, Nov 2026) in a fresh workspace, so that the Management
# sheet's trend has points; the pictures are of the November report.
# Needs: apt-get install -y libreoffice-calc-nogui poppler-utils fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
./target/debug/payback init "$work/ws" >/dev/null
for as_of in 2026-09-30 2026-10-31 2026-11-30; do
    (cd "$work/ws" && "$OLDPWD/target/debug/payback" run --as-of "$as_of" --quiet) || [ $? -eq 1 ]
done
soffice --headless --convert-to pdf --outdir "$work" "$work/ws/out/aging-report.xlsx" >/dev/null 2>&1
pdf="$work/aging-report.pdf"
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
# The first page after page $2 whose first line is $1 (sheets span a varying number of
# pages; each starts with its title or its header row).
page_with() {
    for ((p = $2 + 1; p <= pages; p++)); do
        if [ "$(pdftotext -f "$p" -l "$p" "$pdf" - | head -1)" = "$1" ]; then echo "$p"; return; fi
    done
    echo "no page starts with '$1'" >&2
    return 1
}
mkdir -p docs
shoot() { pdftoppm -png -r 90 -f "$1" -l "$1" -singlefile "$pdf" "docs/$2"; }
management=$(page_with 'Collection report' 0)
summary=$(page_with 'Accounts receivable aging' "$management")
actions=$(page_with 'Customer' "$summary")
shoot "$management" management
shoot "$summary" summary
shoot "$actions" actions
echo "wrote docs/management.png, docs/summary.png and docs/actions.png"
