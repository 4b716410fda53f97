#!/usr/bin/env bash
# Remakes docs/*.png: the sample report and letters rendered by LibreOffice, as a user sees
# them, in English (management.png, summary.png, actions.png, letter-*.png) and in Chinese
# (the same names with -zh). Three monthly runs (Sep, Oct, Nov 2026) in a fresh workspace
# per language; September's and October's messages are sent to a local SMTP server that
# keeps nothing (aiosmtpd's Sink), so that November escalates as a real month would: its
# report has a trend and a history, and its letters include demand letters. The pictures
# are of the November report and letters (each letter's HTML part, as a mail client shows it).
# Needs: apt-get install -y libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils
#        fonts-noto-cjk python3-aiosmtpd
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
/usr/bin/python3 -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "127.0.0.1:$port" &
smtp_pid=$!
trap 'kill "$smtp_pid" 2>/dev/null; rm -rf "$work"' EXIT
cargo build --quiet
mkdir -p docs
payback="$PWD/target/debug/payback"
profile="-env:UserInstallation=file://$work/lo-profile"

# letter EML PNG: the HTML part of EML rendered to docs/PNG (its first page).
letter() {
    local html="$work/letter.html"
    /usr/bin/python3 - "$1" "$html" <<'PY'
import email, sys
from email import policy
message = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
html = message.get_body(preferencelist=("html",)).get_content()
head = f"<p style='color:#555;font-size:small'>Subject: {message['Subject']}<br>To: {message['To']}</p><hr>"
html = html.replace("<body>", "<body>" + head, 1) if "<body>" in html else head + html
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
    soffice "$profile" --headless --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export \
        --outdir "$work" "$html" >/dev/null 2>&1
    pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/letter.pdf" "docs/$2"
}

# shoot_language LANG SUFFIX MANAGEMENT_TITLE SUMMARY_TITLE ACTIONS_HEADER (the Owner column)
shoot_language() {
    local lang=$1 suffix=$2 dir="$work/$1"
    "$payback" init "$dir" --language "$lang" >/dev/null
    for as_of in 2026-09-30 2026-10-31 2026-11-30; do
        (cd "$dir" && "$payback" run --as-of "$as_of" --quiet) || [ $? -eq 1 ]
        if [ "$as_of" != 2026-11-30 ]; then
            (cd "$dir" && "$payback" send out --smtp "127.0.0.1:$port" --yes >/dev/null)
            cp -r "$dir/out" "$dir/out-$as_of"
        fi
    done
    soffice "$profile" --headless --convert-to pdf --outdir "$dir" "$dir/out/aging-report.xlsx" >/dev/null 2>&1
    local pdf="$dir/aging-report.pdf"
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
    # shoot PAGE NAME [PERCENT DPI]: the page (at 130 dpi), its top PERCENT only (the wide
    # Actions sheet fits one page across: its first rows at 200 dpi, large enough to read).
    shoot() {
        local size w h dpi=${4:-130}
        size=$(pdfinfo -f "$1" -l "$1" "$pdf" | awk '/^Page.*size:/ {print $4, $6; exit}')
        w=$(awk -v s="${size% *}" -v d="$dpi" 'BEGIN {printf "%d", s / 72 * d}')
        h=$(awk -v s="${size#* }" -v d="$dpi" -v p="${3:-100}" 'BEGIN {printf "%d", s / 72 * d * p / 100}')
        pdftoppm -png -r "$dpi" -f "$1" -l "$1" -x 0 -y 0 -W "$w" -H "$h" -singlefile "$pdf" "docs/$2$suffix"
    }
    local management summary actions
    management=$(page_with "$3" 0)
    summary=$(page_with "$4" "$management")
    actions=$(page_with "$5" "$summary")
    shoot "$management" management
    shoot "$summary" summary
    shoot "$actions" actions 40 200
    # One letter of each kind, to a customer writing in the workspace's language (the
    # sample's Chinese customers for zh, its English ones for en), and the PM digest: from
    # November, else from the month that wrote one (October's escalations, September's
    # first notices).
    local kind file
    for kind in overdue_notice escalate_to_approver demand_letter approval_status_report milestone_request thank_you pm_digest; do
        file=""
        for f in "$dir"/out/emails/*-"$kind"-*.eml "$dir"/out/internal/*-"$kind"-*.eml \
            "$dir"/out-2026-10-31/emails/*-"$kind"-*.eml "$dir"/out-2026-09-30/emails/*-"$kind"-*.eml; do
            [ -e "$f" ] || continue
            if [ "$lang" = zh ] && ! basename "$f" | grep -P '[\x{4e00}-\x{9fff}]' >/dev/null && [ "$kind" != pm_digest ]; then continue; fi
            if [ "$lang" = en ] && basename "$f" | grep -P '[\x{4e00}-\x{9fff}]' >/dev/null; then continue; fi
            file=$f
            break
        done
        if [ -n "$file" ]; then letter "$file" "letter-$kind$suffix"; else echo "no $lang $kind letter" >&2; fi
    done
}

shoot_language en "" 'Collection report' 'Accounts receivable aging' 'Owner'
shoot_language zh "-zh" '回款报告' '应收账款账龄' '负责人'
echo "wrote docs/{management,summary,actions,letter-*}.png and their -zh.png"
