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
