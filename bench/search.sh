#!/usr/bin/env bash
# bench/search.sh — site search (issue 5): the time to import N generated articles with the
# index following every insert, the time to build the index afresh (`depesche search reindex`),
# and search latency p50/p99 over loopback with wrk for one-word, two-word and phrase queries.
#
#   bench/search.sh [N] [--words templates|zipf] [--duration 10s] [--bin PATH] [--keep]
#
# N: articles (default 100000; e.g. 5000 for a quick check). --words: the text of the
# articles (bench/gen_articles.py): sentence templates of ~400 words, each in a large share of
# all articles (the default, the hardest case), or a newspaper-like Zipf lexicon. The
# classes: one word, two words of one article, a phrase from a text ("in der Stadt"), and a
# phrase with the text's short words left out (mostly found nowhere). The queries are drawn from the
# generated articles (bench/search_queries.py): several hundred distinct ones per class, the
# most common and the rarest words of the vocabulary alike; bench/rotate.lua makes wrk walk
# through each list, so no two requests in a row ask the same. Searches are never cached by
# the server. Each class runs with 1 connection (1 thread) and with 4 connections (2 threads),
# after an unmeasured warm-up of the same length. Results go to stdout; progress and the raw
# wrk output to stderr. Before the server starts, `depesche search bench` times the same queries
# in-process (the store's search alone, no HTTP, no page). Everything stays on 127.0.0.1; every
# step is bounded by `timeout`.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BIN=${DEPESCHE_BIN:-$ROOT/build/depesche}
PY=/usr/bin/python3
N=100000
DURATION=10s
KEEP=0
WORDS=templates
CMDLINE="bench/search.sh${*:+ $*}"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --words) WORDS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    [0-9]*) N=$1; shift ;;
    *) echo "search.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case $N in ''|*[!0-9]*) echo "search.sh: N must be a number" >&2; exit 2 ;; esac
case $WORDS in templates|zipf) ;; *) echo "search.sh: --words templates or zipf" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "search.sh: $BIN not found (build first, or --bin PATH)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "search.sh: wrk not found (scripts/deps.sh test)" >&2; exit 1; }
command -v curl >/dev/null || { echo "search.sh: curl not found" >&2; exit 1; }

WORK=$(mktemp -d /tmp/depesche-search-bench.XXXXXX)
SERVER=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER" ]; then
    kill -TERM "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then echo "search.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[search-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
now_ms() { date +%s%3N; }

cp "$BIN" "$WORK/depesche"      # a rebuild during the run does not mix two versions
BIN=$WORK/depesche
SITE=$WORK/site
dp() { "$BIN" --data "$SITE" "$@"; }

# ---------------------------------------------------------------- the site
log "generating $N articles ($WORDS)"
timeout 1800 "$PY" "$HERE/gen_articles.py" -n "$N" --words "$WORDS" >"$WORK/articles.jsonl"
dp init --title "Suchbench" --base-url "http://127.0.0.1:1" --lang de >/dev/null
# Searches are limited per client address; wrk is one address asking thousands of times.
"$PY" - "$SITE/site.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["search_rate_per_minute"] = 1000000000
json.dump(c, open(p, "w"), indent=2)
PY

log "importing (one transaction, the index follows every article)"
t0=$(now_ms)
timeout 7200 "$BIN" --data "$SITE" post import <"$WORK/articles.jsonl" >"$WORK/import.out"
IMPORT_MS=$(( $(now_ms) - t0 ))
log "$(cat "$WORK/import.out") in $IMPORT_MS ms"
DB_IMPORT=$(du -m "$SITE/depesche.db" | cut -f1)

log "rebuilding the index (search reindex)"
t0=$(now_ms)
timeout 7200 "$BIN" --data "$SITE" search reindex 2>"$WORK/reindex.err" >"$WORK/reindex.out"
REINDEX_MS=$(( $(now_ms) - t0 ))
tr '\r' '\n' <"$WORK/reindex.err" | tail -n 3 >&2
log "reindex took $REINDEX_MS ms"
DB_REINDEX=$(du -m "$SITE/depesche.db" | cut -f1)

# ---------------------------------------------------------------- the queries
"$PY" "$HERE/search_queries.py" "$WORK/articles.jsonl" "$WORK/q" >"$WORK/queries.txt"
cat "$WORK/queries.txt" >&2

# ---------------------------------------------------------------- in-process latency
# `depesche search bench`: each query of a class 5 times (after one warm-up) through the store,
# no HTTP and no page: what the search itself costs.
INPROC=""
CLASSES="one two phrase gap"
for class in $CLASSES; do
  timeout 1800 "$BIN" --data "$SITE" search bench --runs 5 <"$WORK/q/$class.q" >"$WORK/inproc-$class.txt"
  { echo "----- search bench $class"; tail -n 5 "$WORK/inproc-$class.txt"; } >&2
  INPROC+=$(sed -n 's/^all: \(.*\)$/| '"$class"' | \1 |/p' "$WORK/inproc-$class.txt")$'\n'
done

# ---------------------------------------------------------------- the server
timeout 7200 "$BIN" --data "$SITE" serve --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
URL=""
for _ in $(seq 200); do
  URL=$(sed -n 's|^listening on \(http://[^ ]*\)/$|\1|p' "$WORK/serve.out" | head -n 1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
  sleep 0.05
done
[ -n "$URL" ] || { echo "search.sh: the server did not start" >&2; exit 1; }
log "server $URL"

# How many articles the queries of a class match (the first 25 of its list), as the results
# page says: "1 Treffer", "37 Treffer", "mehr als 1000 Treffer" (counted as 1000+), or
# "Keine Treffer" (0).
matches() {
  local f=$1 n=0 p page t
  : >"$WORK/totals"
  while read -r p && [ $n -lt 25 ]; do
    page=$(curl -sS --max-time 30 "$URL$p" | tr '\n' ' ') || page=""
    t=$(printf '%s' "$page" | sed -n 's/.*search-count">[^0-9<]*\([0-9][0-9]*\) Treffer.*/\1/p')
    case $page in *'search-count">'[Mm]'ehr als'*) t="${t}+" ;; esac
    echo "${t:-0}" >>"$WORK/totals"
    n=$((n + 1))
  done <"$f"
  sort -n "$WORK/totals" | awk '{ v[NR] = $1; if ($1 ~ /\+$/) c++ }
    END { printf "median %s (%s..%s%s)", v[int((NR + 1) / 2)], v[1], v[NR],
          c ? sprintf("; more than 1000 for %d", c) : "" }'
}

# wrk_run CLASS CONNECTIONS THREADS: one measured run after a warm-up; prints a table row.
wrk_run() {
  local class=$1 c=$2 t=$3 out=$WORK/wrk-$1-$2.txt
  BENCH_PATHS=$WORK/q/$class.txt timeout 600 wrk -t"$t" -c"$c" -d"$DURATION" \
    -s "$HERE/rotate.lua" "$URL" >/dev/null 2>&1
  BENCH_PATHS=$WORK/q/$class.txt timeout 600 wrk -t"$t" -c"$c" -d"$DURATION" --latency \
    -s "$HERE/rotate.lua" "$URL" >"$out" 2>&1
  { echo "----- wrk $class c$c t$t"; cat "$out"; } >&2
  local rps p50 p99 non2xx
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
  p50=$(awk '$1 == "50%" { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$class" "$c" "${p50:-?}" "${p99:-?}" \
    "${rps:-?}" "${non2xx:-0}"
}

log "matches per query"
MATCHES=""
for class in $CLASSES; do
  MATCHES+="- $class: $(matches "$WORK/q/$class.txt")"$'\n'
done

log "measuring (wrk, $DURATION per run after a warm-up of the same length)"
ROWS=""
for class in $CLASSES; do
  ROWS+=$(wrk_run "$class" 1 1)$'\n'
  ROWS+=$(wrk_run "$class" 4 2)$'\n'
done

kill -TERM "$SERVER" 2>/dev/null || true
SERVE_RC=0
wait "$SERVER" || SERVE_RC=$?
SERVER=""

# ---------------------------------------------------------------- the results
cat <<EOF
# search benchmark

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: nproc $(nproc), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)
- depesche: $("$BIN" --version 2>/dev/null | head -n 1 || echo "?") (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?"))
- command: \`$CMDLINE\`
- articles: $N generated by \`bench/gen_articles.py --words $WORDS\` (~5,000 characters of Markdown each)

| step | time |
|---|---:|
| \`post import\` of $N articles, the index following each (one transaction) | $IMPORT_MS ms |
| \`search reindex\` (the time to build the index: vocabulary, index, related lists) | $REINDEX_MS ms |

Database: $DB_IMPORT MB after the import, $DB_REINDEX MB after the reindex.

Queries ($(tail -n 1 "$WORK/queries.txt")):
$(sed '$d' "$WORK/queries.txt" | sed 's/^/- /')

Articles matched per query (the first 25 of each list, as the results page counts them):
$MATCHES
Search latency over loopback (wrk --latency, $DURATION per run after a warm-up, rotating through the list; a request = the whole results page: query, ranking, 10 highlighted snippets, HTML):

| class | connections | p50 | p99 | requests/s | non-2xx |
|---|---:|---:|---:|---:|---:|
$ROWS
In-process (\`depesche search bench --runs 5\`: the store's search alone, one query at a time, every query of the list):

| class | runs, p50, p99, max |
|---|---|
$INPROC
Goal: p99 < 10 ms. The server exited with status $SERVE_RC on SIGTERM.
EOF
