#!/bin/sh
# tests/browser/run.sh — browser and HTML-validation tests of every page type, and the
# newsroom flows clicked through in a real browser.
#
# Builds a throw-away site with the real CLI (German site, long compounds, a table, a long URL,
# an English article, tags, a category, authors, 13 articles so there is a page 2; four admin
# accounts), starts `depesche serve` on a free port of 127.0.0.1 and runs
#   check.mjs: Nu Html Checker (0 errors), axe-core in Chromium, light and dark (0 violations),
#              nothing wider than a 390 px phone — for every public page type (search results,
#              no results, a highlighted long compound, /jobs/, a job, the article with its related
#              articles and the jobs box among them);
#   flows.mjs: a reader comments, a moderator approves, a threaded reply, a rejected CSRF token,
#              XSS payloads in every field, an author kept out of another's article — by filling
#              and clicking the real forms; a reader searches with the header search box and
#              opens a result; then the same vnu/axe/width checks on the admin pages and on the
#              article page with its comments.
#
# Usage: tests/browser/run.sh [BINARY]   (from anywhere; default build/depesche)
# Env:   DEPESCHE=path/to/binary  CHROMIUM=/usr/bin/chromium  JAVA=java
#        BROWSER_SHOTS=DIR (where the PNG screenshots go; default: a new temp dir, kept)
#        KEEP_SITE=1 (keep the temporary site folder and the server log)
# Needs: node + npm, java (default-jre-headless), chromium (Debian's). No downloaded browser.
# Last line of output: "browser: N passed, N failed" (both scripts together); exit 1 if anything
# failed. A normal run takes about a minute; check.mjs is stopped after 80 s, flows.mjs after
# 110 s, so even a hung run ends within about three and a half minutes.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-${DEPESCHE:-$ROOT/build/depesche}}   # tests/run_all.py passes the binary as $1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

TMP=""
SERVER_PID=""
CHECK_PID=""

fail_setup() {
    echo "not ok - setup: $*"
    echo "browser: 0 passed, 1 failed"
    exit 1
}

cleanup() {
    status=$?
    if [ -n "$CHECK_PID" ] && kill -0 "$CHECK_PID" 2>/dev/null; then
        kill -TERM "$CHECK_PID" 2>/dev/null || true   # timeout(1) passes it on to node
        wait "$CHECK_PID" 2>/dev/null || true
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        i=0
        while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "# server did not stop within 5 s after SIGTERM; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$TMP" ]; then
        if [ "${KEEP_SITE:-}" = 1 ]; then echo "# site kept in $TMP" >&2; else rm -rf "$TMP"; fi
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- prerequisites
[ -x "$BIN" ] || fail_setup "$BIN not found or not executable (build first: meson setup build && ninja -C build)"
command -v node >/dev/null 2>&1 || fail_setup "node not found (apt-get install nodejs npm)"
command -v "${JAVA:-java}" >/dev/null 2>&1 || fail_setup "java not found (apt-get install default-jre-headless)"
[ -x "$CHROMIUM" ] || fail_setup "$CHROMIUM not found (apt-get install chromium)"

if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/axe-core" ] || [ ! -d "$HERE/node_modules/vnu-jar" ]; then
    echo "# installing npm dependencies into $HERE/node_modules"
    (cd "$HERE" && timeout 180 npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error) >&2 \
        || fail_setup "npm ci --ignore-scripts failed in $HERE"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/depesche-browser.XXXXXX")
DATA="$TMP/site"
SHOTS=${BROWSER_SHOTS:-$(mktemp -d "${TMPDIR:-/tmp}/depesche-shots.XXXXXX")}
mkdir -p "$SHOTS"

dp() { timeout 30 "$BIN" --data "$DATA" "$@"; }

# ---------------------------------------------------------------- the site
dp init --lang de --title "Depesche Testzeitung" --base-url "http://127.0.0.1:8080" >"$TMP/init.out" 2>&1 \
    || fail_setup "depesche init failed: $(cat "$TMP/init.out")"

# Comments at machine speed from one address, all of them into the queue (none filed as spam
# by the score, so the flows are deterministic), as in tests/integration/test_admin.py; searches
# unthrottled (the browser loads each page several times). Must be in site.json before the server
# starts.
node -e '
const fs = require("fs"); const f = process.argv[1];
const c = JSON.parse(fs.readFileSync(f, "utf8"));
Object.assign(c, { comment_min_seconds: 0, comment_rate_per_minute: 1000, auto_spam_score: 2.0,
  search_rate_per_minute: 100000 });
fs.writeFileSync(f, JSON.stringify(c, null, 2) + "\n");
' "$DATA/site.json" >"$TMP/conf.out" 2>&1 || fail_setup "cannot update $DATA/site.json: $(cat "$TMP/conf.out")"

# Admin accounts for flows.mjs (the password only on stdin and in the environment of flows.mjs).
DEPESCHE_TEST_PASSWORD="browser-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export DEPESCHE_TEST_PASSWORD
for u in chefin:admin moritz:moderator anna:author bert:author; do
    printf '%s\n' "$DEPESCHE_TEST_PASSWORD" | dp user add --name "${u%%:*}" --role "${u#*:}" --password-stdin \
        >"$TMP/user.out" 2>&1 || fail_setup "depesche user add --name ${u%%:*} failed: $(cat "$TMP/user.out")"
done

# add_post OUTVAR ARGS... (body on stdin): runs `post add`, stores the path (last stdout line)
add_post() {
    var=$1; shift
    if ! dp post add "$@" >"$TMP/add.out" 2>"$TMP/add.err"; then
        fail_setup "depesche post add $* failed: $(cat "$TMP/add.err")"
    fi
    p=$(tail -n 1 "$TMP/add.out")
    case "$p" in /*/) ;; *) fail_setup "post add printed \"$p\" as its last line, expected /slug/" ;; esac
    eval "$var=\$p"
}

# Ten older articles in one import (so that, with the three below, there is a page 2).
i=1
: >"$TMP/import.jsonl"
while [ $i -le 10 ]; do
    d=$(printf '2026-01-%02dT08:%02d:00+01:00' "$i" "$i")
    printf '{"title":"Meldung Nummer %d: Bundesverfassungsgerichtsentscheidung zur Grundstücksverkehrsgenehmigung","body":"Kurzmeldung %d. Die Rechtsschutzversicherungsgesellschaften begrüßen die Entscheidung.\\n\\nMehr folgt.","dateline":"KARLSRUHE","tags":["Recht","Meldung"],"category":"Inland","author":"Max Mustermann","date":"%s"}\n' "$i" "$i" "$d" >>"$TMP/import.jsonl"
    i=$((i + 1))
done
dp post import <"$TMP/import.jsonl" >"$TMP/import.out" 2>&1 || fail_setup "depesche post import failed: $(cat "$TMP/import.out")"

add_post ART_EN --title "Parliament passes the long-awaited budget after a marathon overnight session" \
    --dateline "LONDON" --tags "Politics,Budget" --category "Ausland" --author "Jane Doe" \
    --date "2026-01-20T09:30:00Z" <<'EOF'
Members of Parliament approved the budget shortly before dawn, ending a debate that lasted
more than fourteen hours.

> "This is a budget for working families," the Chancellor said.

The opposition announced it would table amendments in the committee stage. Details are on
<https://www.parliament.example/business/publications/budget-2026/explanatory-notes/annex-b-table-4-departmental-expenditure-limits.html>.
EOF

add_post ART_DE --title "Donaudampfschifffahrtsgesellschaftskapitänsmütze: Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz endgültig aufgehoben" \
    --slug "donaudampfschifffahrtsgesellschaftskapitaensmuetze" \
    --dateline "WIEN / PASSAU" --tags "Schifffahrt,Donau,Österreich" --category "Wirtschaft" \
    --author "Erika Mustermann" --date "2026-01-21T10:00:00+01:00" <<'EOF'
Die Donaudampfschifffahrtsgesellschaftskapitänsmütze ist wieder aufgetaucht. Nach Angaben der
Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung lag sie jahrelang in einem
Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnungsarchiv.

## Kraftfahrzeughaftpflichtversicherungsbedingungen im Überblick

| Versicherungsgesellschaft | Haftpflichtversicherungsbeitrag | Selbstbeteiligungsbetrag | Schadenfreiheitsrabatt | Vertragslaufzeit |
|---|---:|---:|---:|---|
| Donaudampfschifffahrtsversicherung | 1.234,56 € | 500,00 € | 45 % | 12 Monate |
| Rechtsschutzversicherungsgesellschaft | 987,65 € | 250,00 € | 30 % | 24 Monate |
| Krankenversicherungsverein auf Gegenseitigkeit | 2.345,67 € | 1.000,00 € | 60 % | 36 Monate |

Die vollständige Liste steht unter
https://www.bundesanzeiger.example/pub/de/amtlicher-teil/bekanntmachungen/2026/01/21/rindfleischetikettierungsueberwachungsaufgabenuebertragungsgesetz-aufhebung-volltext.pdf?sitzung=abcdef0123456789&seite=42
sowie im [Archiv der Schifffahrtsgesellschaft](https://archiv.example/donaudampfschifffahrtsgesellschaftskapitaensmuetze/geschichte/1829-bis-heute/dokumente).

- Arbeitsunfähigkeitsbescheinigung
- Nahrungsmittelunverträglichkeitsuntersuchungsergebnis
- Verkehrsinfrastrukturfinanzierungsgesellschaft

```
curl -fsS https://api.example/v1/donaudampfschifffahrtsgesellschaft/kapitaene?mit=muetze&seit=1829&format=json
```

„Wir freuen uns sehr", sagte die Sprecherin der **Donaudampfschifffahrtsgesellschaft**.
EOF

# A second article about the Danube company: related to the first (its "Mehr zum Thema"), and with
# the word of the search checks ("Entscheidung": 11 matches, so the results have a page 2).
add_post ART_DE2 --title "Donaudampfschifffahrtsgesellschaft: Entscheidung über neue Fahrpläne" \
    --dateline "PASSAU" --tags "Schifffahrt,Donau" --category "Wirtschaft" \
    --author "Erika Mustermann" --date "2026-01-22T10:00:00+01:00" <<'EOF'
Die Donaudampfschifffahrtsgesellschaft hat eine Entscheidung über die Fahrpläne getroffen: Die
Schiffe zwischen Wien und Passau fahren ab März öfter. Die Kapitänsmütze bleibt im Archiv.
EOF

# Jobs: five, so the box under every article shows the four newest; long German words for the
# 390 px checks. `job add` prints the job's path as its last line; JOB_PATH keeps the last one.
add_job() {   # add_job ARGS... (description on stdin)
    if ! dp job add "$@" >"$TMP/job.out" 2>"$TMP/job.err"; then
        fail_setup "depesche job add $* failed: $(cat "$TMP/job.err")"
    fi
    JOB_PATH=$(tail -n 1 "$TMP/job.out")
    case "$JOB_PATH" in /jobs/*/) ;; *) fail_setup "job add printed \"$JOB_PATH\" as its last line, expected /jobs/slug/" ;; esac
}
JOB_PATH=""
j=1
for spec in "Redakteurin/Redakteur Lokales|Passauer Tagesanzeiger|Passau|full-time" \
            "Volontariat Datenjournalismus|Donaukurier Mediengruppe|Regensburg|internship" \
            "Schlussredaktion in Teilzeit|Wiener Abendblatt|Wien|part-time" \
            "Freie Mitarbeit Gerichtsberichterstattung|Karlsruher Rechtsschutzversicherungsnachrichten|Karlsruhe|contract"; do
    IFS='|' read -r jt je jl jty <<JOB
$spec
JOB
    printf 'Wir suchen Verstärkung.\n\n- Erfahrung im Journalismus\n- Freude an Verwaltungsgerichtsentscheidungsbegründungen\n' >"$TMP/job.md"
    add_job --title "$jt" --employer "$je" --location "$jl" --type "$jty" \
        --apply-url "https://jobs.example/bewerbung/$j" --valid-through "2099-12-31" \
        --posted "2026-01-0${j}T09:00:00+01:00" <"$TMP/job.md"
    j=$((j + 1))
done
printf 'Ganz von zu Hause aus: Donaudampfschifffahrtsgesellschaftskapitänsmützenarchivierung.\n' >"$TMP/job.md"
add_job --title "Archivar (m/w/d) für Kapitänsmützenarchivierungsangelegenheiten" \
    --employer "Donaudampfschifffahrtsgesellschaft" --location "" --remote --type full-time \
    --apply-url "mailto:bewerbung@example.org" --valid-through "2099-12-31" \
    --posted "2026-01-05T09:00:00+01:00" <"$TMP/job.md"

# A draft and a scheduled article: they must appear nowhere (and must not break anything).
printf 'Entwurf.\n' | dp post add --title "Entwurf, nicht veröffentlicht" --draft >/dev/null 2>&1 \
    || fail_setup "post add --draft failed"
printf 'Zukunft.\n' | dp post add --title "Geplant für später" --date "2099-01-01T00:00:00Z" >/dev/null 2>&1 \
    || fail_setup "post add with a future date failed"

# Mail: the reader's sign-up flow in flows.mjs reads the confirmation from its own SMTP server
# (lib.mjs startSmtpSink) on a port chosen here; the server's sender delivers to it.
SMTP_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})') \
    || fail_setup "no free port for the SMTP server"
dp config set smtp.url "smtp://127.0.0.1:$SMTP_PORT" >/dev/null 2>&1 || fail_setup "config set smtp.url failed"
dp config set mail.from "Testzeitung <news@example.org>" >/dev/null 2>&1 || fail_setup "config set mail.from failed"

# ---------------------------------------------------------------- the server
: >"$TMP/serve.out"
: >"$TMP/serve.err"
"$BIN" --data "$DATA" serve --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
BASE=""
i=0
while [ $i -lt 100 ]; do
    BASE=$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$TMP/serve.out" | head -n 1)
    [ -n "$BASE" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail_setup "depesche serve exited: $(cat "$TMP/serve.err")"
    sleep 0.1
    i=$((i + 1))
done
[ -n "$BASE" ] || fail_setup "depesche serve printed no \"listening on http://HOST:PORT/\" within 10 s: $(cat "$TMP/serve.out" "$TMP/serve.err")"
case "$BASE" in http://127.0.0.1:*) ;; *) fail_setup "server listens on $BASE, expected http://127.0.0.1:PORT/" ;; esac
echo "# server: $BASE (pid $SERVER_PID), site: $DATA"

# ---------------------------------------------------------------- the checks
# Each script in the background + wait, so that a SIGTERM to this script is handled at once
# (trap above). Each writes "PASSED FAILED" to its summary file; the one line is printed here.
TOTAL_PASSED=0
TOTAL_FAILED=0
run_node() {   # run_node NAME SECONDS SCRIPT ARGS...   (the script stops itself 5 s earlier)
    name=$1; secs=$2; shift 2
    sum="$TMP/$name.summary"
    rm -f "$sum"
    BROWSER_TOTAL_TIMEOUT_MS=$(((secs - 5) * 1000)) timeout "$secs" node "$@" --summary "$sum" &
    CHECK_PID=$!
    rc=0
    wait "$CHECK_PID" || rc=$?
    CHECK_PID=""
    if [ -s "$sum" ] && read -r p f <"$sum"; then
        TOTAL_PASSED=$((TOTAL_PASSED + p))
        TOTAL_FAILED=$((TOTAL_FAILED + f))
        if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "not ok - $name exited with status $rc although nothing failed"
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    else
        echo "not ok - $name exited with status $rc without a summary (124 = killed by timeout)"
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
    fi
}

run_node check.mjs 80 "$HERE/check.mjs" --base "$BASE" --article "$ART_DE" --article-en "$ART_EN" --shots "$SHOTS" --lang de \
    --job "$JOB_PATH" --search "Entscheidung" --server-log "$TMP/serve.err"
run_node flows.mjs 110 "$HERE/flows.mjs" --base "$BASE" --article "$ART_DE" --shots "$SHOTS" \
    --admin chefin --moderator moritz --author-a anna --author-b bert --server-log "$TMP/serve.err" \
    --smtp-port "$SMTP_PORT" --search "Donaudampfschifffahrtsgesellschaftskapitänsmütze"

echo "browser: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
if [ "$TOTAL_FAILED" -eq 0 ]; then exit 0; fi
exit 1
