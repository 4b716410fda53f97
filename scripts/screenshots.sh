#!/usr/bin/env bash
# Remakes docs/*.png: the sample report rendered by LibreOffice, as a user sees it.
# Needs: apt-get install -y libreoffice-calc-nogui poppler-utils fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
./target/debug/payback init "$work/ws" >/dev/null
(cd "$work/ws" && "$OLDPWD/target/debug/payback" run --as-of 2026-11-30 --quiet) || [ $? -eq 1 ]
soffice --headless --convert-to pdf --outdir "$work" "$work/ws/out/aging-report.xlsx" >/dev/null 2>&1
mkdir -p docs
# Page 1: Summary; page 2: Actions; the By Customer sheet follows Actions and Holds.
pdftoppm -png -r 90 -f 1 -l 1 -singlefile "$work/aging-report.pdf" docs/summary
pdftoppm -png -r 90 -f 2 -l 2 -singlefile "$work/aging-report.pdf" docs/actions
echo "wrote docs/summary.png and docs/actions.png"
