#!/bin/sh
# bench/comments.sh — comment POSTs accepted into the moderation queue per
# second: wrk on loopback against the real server, then a count in the
# database proves every acknowledged comment was stored (the server syncs
# every commit to disk). Usage: bench/comments.sh [--duration 10s] [--connections 32]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${DEPESCHE:-$root/build/depesche}
dur=10s conns=32
while [ $# -gt 0 ]; do
  case $1 in
    --duration) dur=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 10s] [--connections 32]" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

"$bin" --data "$tmp/site" init --title "Bench" >/dev/null
/usr/bin/python3 - "$tmp/site/site.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c.update(comment_rate_per_minute=100000000, comment_min_seconds=0)
json.dump(c, open(p, "w"))
PY
printf 'Ein Artikel über neue Radwege in der Innenstadt.\n' |
  "$bin" --data "$tmp/site" post add --title "Radwege" --slug radwege >/dev/null
timeout 300 "$bin" --data "$tmp/site" serve --listen 127.0.0.1:0 > "$tmp/out" 2> "$tmp/err" &
pid=$!
for i in $(seq 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$tmp/out")
ticket=$(curl -s "$url/radwege/" | sed -n 's/.*name="ticket" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$ticket" ] || { echo "no ticket on the article page" >&2; exit 1; }
BENCH_PATH=/radwege/comment/ BENCH_TICKET=$ticket \
  timeout 120 wrk -t2 -c"$conns" -d"$dur" -s "$here/comment_post.lua" "$url" > "$tmp/wrk" 2>&1
cat "$tmp/wrk"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
acked=$(sed -n 's/^requests \([0-9]*\)$/\1/p' "$tmp/wrk")
errors=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$tmp/wrk")
stored=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from comments').fetchone()[0])" "$tmp/site/depesche.db")
rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$tmp/wrk")
echo "comments acknowledged: $acked (errors ${errors:-0}), stored: $stored, rate: $rate comments/s"
[ "$stored" -ge "$((acked - ${errors:-0}))" ] || { echo "LOST COMMENTS" >&2; exit 1; }
