#!/bin/sh
# scripts/demo.sh — fill a fresh site with the demo articles in demo/.
# Usage: scripts/demo.sh BIN DATA_DIR
set -eu
bin=$1 data=$2
here=$(cd "$(dirname "$0")/.." && pwd)
field() { sed -n "1,/^\$/s/^$1: //p" "$2"; }
i=0
now=$(date +%s)
for f in "$here"/demo/[0-9]*.md; do
  i=$((i + 1))
  slug=$(basename "$f" .md | sed 's/^[0-9]*-//')
  days=$(field days_ago "$f")
  # Always in the past, a few minutes apart so their order is stable.
  date=$(date -d "@$((now - ${days:-0} * 86400 - i * 420))" +%Y-%m-%dT%H:%M:%S%z)
  sed '1,/^$/d' "$f" | "$bin" --data "$data" post add \
    --title "$(field title "$f")" --slug "$slug" --dateline "$(field dateline "$f")" \
    --tags "$(field tags "$f")" --category "$(field category "$f")" \
    --author "$(field author "$f")" --lang "$(field lang "$f")" --date "$date" >/dev/null
done
echo "added $i demo articles"

# Job listings for the jobs box and /jobs/ (demo/jobs/*.md: fields, a blank line, the description).
j=0
for f in "$here"/demo/jobs/[0-9]*.md; do
  [ -f "$f" ] || continue
  j=$((j + 1))
  remote=""
  [ "$(field remote "$f")" = yes ] && remote="--remote"
  valid=$(date -d "@$((now + $(field valid_days "$f") * 86400))" +%Y-%m-%d)
  # shellcheck disable=SC2086
  sed '1,/^$/d' "$f" | "$bin" --data "$data" job add \
    --title "$(field title "$f")" --employer "$(field employer "$f")" \
    --location "$(field location "$f")" $remote --type "$(field type "$f")" \
    --apply-url "$(field apply_url "$f")" --valid-through "$valid" >/dev/null
done
echo "added $j demo jobs"

# The boxes of the reference page: a book tip and a support link below articles, a newsletter
# call-to-action in the sidebar (shown once mail.from is set). The jobs box comes with every site.
"$bin" --data "$data" box add --kind book --place below \
  --title "Buchtipp: Maschinen, die zuhören" --author "Mara Ellwanger" \
  --body "Wie Spracherkennung vom Labor in den Alltag kam – und was dabei über Datenschutz entschieden wurde. Eine gut lesbare Einführung, auch ohne technische Vorkenntnisse." \
  --link-url "https://buecher.example.org/maschinen-die-zuhoeren" --link-text "Zum Buch" >/dev/null
"$bin" --data "$data" box add --kind support --place below \
  --title "Unabhängigen Journalismus unterstützen" \
  --body "Diese Seite finanziert sich ohne Werbung. Wenn Ihnen unsere Berichte helfen, unterstützen Sie uns mit einem kleinen monatlichen Beitrag." \
  --link-url "https://unterstuetzen.example.org/depesche" --link-text "Jetzt unterstützen" >/dev/null
"$bin" --data "$data" box add --kind newsletter --place sidebar >/dev/null
echo "added 3 demo boxes"
