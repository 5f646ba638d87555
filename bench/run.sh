#!/usr/bin/env bash
# bench/run.sh — Depesche benchmark: wrk on loopback, depesche vs. nginx, cache misses,
# memory and start-up. See bench/README.md for what each figure means.
#
#   bench/run.sh [--duration 10s] [--connections 64] [--threads 2] [--warmup 3s]
#                [--articles 1000] [--big 100000] [--startup-runs 3] [--bin PATH]
#                [--out FILE] [--keep] [--no-deps] [--wait-idle SECONDS]
#
# Everything runs on 127.0.0.1 on this machine as it is (no CPU pinning: wrk and the
# servers share all cores). Every server runs under `timeout`, every wrk/curl/import
# is bounded, and an EXIT trap stops what is still running and removes the temp dir.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BIN=${DEPESCHE_BIN:-$ROOT/build/depesche}
PY=/usr/bin/python3
DURATION=10s
CONNECTIONS=64
THREADS=2
WARMUP=3s
ARTICLES=1000
BIG=100000
STARTUP_RUNS=3
OUT=$HERE/results-latest.txt
KEEP=0
DEPS=1
WAIT_IDLE=0               # seconds to wait, before each wrk run, for the machine to be idle
SERVER_LIFETIME=7200      # seconds: hard upper bound for any server we start
WARM_LIMIT=3600           # seconds: upper bound for requesting every article once
CMDLINE="bench/run.sh${*:+ $*}"

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --articles) ARTICLES=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;             # 0 skips the large-site measurements
    --startup-runs) STARTUP_RUNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-deps) DEPS=0; shift ;;
    --wait-idle) WAIT_IDLE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

LOG=${OUT%.txt}.log                     # raw wrk output, headers, server stderr
WORK=$(mktemp -d /tmp/depesche-bench.XXXXXX)
chmod 755 "$WORK"                       # nginx workers (user nobody) must read the docroot
WRAPPERS=()                             # pids of the `timeout` wrappers of our servers
BGPIDS=()                               # pids of the bounded jobs we wait for (wrk, curl, import)

cleanup() {
  local rc=$?
  local w
  for w in "${BGPIDS[@]}" "${WRAPPERS[@]}"; do
    kill -TERM "$w" 2>/dev/null || true
  done
  for w in "${BGPIDS[@]}" "${WRAPPERS[@]}"; do
    wait "$w" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

: >"$LOG"
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" | tee -a "$LOG" >&2; }
die() { log "ERROR: $*"; exit 1; }
raw() { { printf '\n===== %s =====\n' "$1"; cat "$2"; } >>"$LOG"; }
ms_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
secs() { case $1 in *ms) awk -v v="${1%ms}" 'BEGIN{print v/1000}' ;; *s) echo "${1%s}" ;;
         *m) echo $(( ${1%m} * 60 )) ;; *) echo "$1" ;; esac; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
mib() { case $1 in ''|'?') echo "?" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' ;; esac; }
# bg_run CMD...: run a bounded command in the background and wait for it, so that a
# signal runs the trap at once (a foreground child would delay it); returns its status
bg_run() {
  "$@" <&0 &
  local p=$! rc=0 keep=() x
  BGPIDS+=("$p")
  wait "$p" || rc=$?
  for x in "${BGPIDS[@]}"; do [ "$x" = "$p" ] || keep+=("$x"); done
  BGPIDS=("${keep[@]+"${keep[@]}"}")
  return $rc
}
# CPU accounting, in clock ticks: the whole machine, some processes, our waited-for children
cpu_total() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
proc_ticks() {
  local t=0 p v
  for p in "$@"; do
    v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
}
child_ticks() {   # K_T: user+sys of all reaped children of this shell (call it directly, not in $(...))
  times >"$WORK/times.txt"
  K_T=$(sed -n 2p "$WORK/times.txt" | awk -v hz="$(getconf CLK_TCK)" '{
    n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] }
    printf "%d", n * hz }')
}
all_pids() {      # a pid and its children (nginx master and workers)
  local p
  for p in "$@"; do
    echo "$p"
    cat /proc/"$p"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
  done
}
busy_pct() {      # % of the machine's CPU in use over the next second (by anyone)
  local a b
  a=$(cpu_total); sleep 1; b=$(cpu_total)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; if (t <= 0) t = 1
    printf "%.0f", 100 * (y[1] - x[1]) / t }'
}
wait_idle() {     # before a run (our servers idle): wait up to WAIT_IDLE s for < 10 % CPU in use
  local start=$SECONDS b
  [ "$WAIT_IDLE" -gt 0 ] || return 0
  while :; do
    b=$(busy_pct)
    [ "$b" -lt 10 ] && return 0
    if [ $(( SECONDS - start )) -ge "$WAIT_IDLE" ]; then
      log "machine still busy ($b% CPU in use by others) after waiting ${WAIT_IDLE}s; measuring anyway"
      return 0
    fi
    log "machine busy ($b% CPU in use by others): waiting"
    sleep 4
  done
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "?" }'; }

port_free() {   # is nothing listening on TCP port $1 (IPv4 or IPv6)?
  local hex; hex=$(printf ':%04X ' "$1")
  ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { print $2 " " }' | grep -q "$hex"
}
free_port() {
  local p i
  for i in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 30000 ))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# ---------------------------------------------------------------- prerequisites
if [ "$DEPS" = 1 ] && [ -x "$ROOT/scripts/deps.sh" ]; then
  log "checking Debian packages (scripts/deps.sh test)"
  "$ROOT/scripts/deps.sh" test >>"$LOG" 2>&1 || die "scripts/deps.sh test failed (see $LOG)"
fi
for t in wrk nginx curl timeout "$PY"; do command -v "$t" >/dev/null || die "$t not found"; done
NGINX=$(command -v nginx)
[ -x "$BIN" ] || die "depesche binary not found at $BIN (build it first: meson setup build && ninja -C build)"

# measure one binary throughout, even if build/ is rebuilt while we run
cp "$BIN" "$WORK/depesche" && BIN_ORIG=$BIN && BIN=$WORK/depesche

DUR_S=$(secs "$DURATION")
WARM_S=$(secs "$WARMUP")
WRK_BOUND=$(awk -v d="$DUR_S" 'BEGIN { printf "%d", d + 60 }')
WARM_BOUND=$(awk -v d="$WARM_S" 'BEGIN { printf "%d", d + 60 }')

WRK_VER=$(wrk -v 2>&1 | head -1 | awk '{ print $2 }') || true
NGINX_VER=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
DEP_VER=$(timeout 5 "$BIN" --version 2>/dev/null </dev/null | head -1 | grep -i 'depesche\|[0-9]\.[0-9]') || DEP_VER=""
DEP_VER=${DEP_VER#depesche }
if [ -z "$DEP_VER" ]; then
  DEP_VER=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$ROOT/meson.build" | head -1)
fi
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
STAMP=$(date -u '+%Y-%m-%d %H:%M UTC')
log "work dir $WORK; depesche $DEP_VER from $BIN_ORIG ($GIT_REV); $WRK_VER; $NGINX_VER; nproc $(nproc)"

# ---------------------------------------------------------------- servers
# start_depesche NAME DATA [serve args...]: sets SRV_WRAP, SRV_PID, SRV_URL
start_depesche() {
  local name=$1 data=$2 i
  shift 2
  : >"$WORK/$name.out"
  timeout -k 5 "$SERVER_LIFETIME" "$BIN" --data "$data" serve "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  SRV_WRAP=$!
  WRAPPERS+=("$SRV_WRAP")
  SRV_URL=""
  for i in $(seq 1 1200); do                       # up to 120 s
    SRV_URL=$(grep -o 'listening on http://[^ ]*' "$WORK/$name.out" 2>/dev/null | head -1 | sed 's/^listening on //') || true
    [ -n "$SRV_URL" ] && break
    kill -0 "$SRV_WRAP" 2>/dev/null || { raw "$name stderr" "$WORK/$name.err"; die "depesche serve ($name) exited before listening: $(tail -3 "$WORK/$name.err")"; }
    sleep 0.1
  done
  [ -n "$SRV_URL" ] || die "depesche serve ($name) printed no 'listening on' line in 120 s"
  SRV_URL=${SRV_URL%/}
  SRV_PID=$(server_pid "$SRV_WRAP")
  log "$name: depesche serve $* -> $SRV_URL (pid $SRV_PID)"
}
server_pid() {  # the child of a `timeout` wrapper
  local p="" i
  for i in $(seq 1 50); do
    p=$(cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{ print $1 }')
    [ -n "$p" ] || p=$(pgrep -P "$1" | head -1) || true
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.02
  done
  echo "?"
}
stop_server() { # WRAPPER_PID NAME: SIGTERM, wait, report a non-zero exit
  local w=$1 name=$2 rc=0 keep=() x
  kill -TERM "$w" 2>/dev/null || true
  wait "$w" 2>/dev/null || rc=$?
  for x in "${WRAPPERS[@]}"; do [ "$x" = "$w" ] || keep+=("$x"); done
  WRAPPERS=("${keep[@]+"${keep[@]}"}")
  if [ "$rc" != 0 ] && [ "$rc" != 143 ]; then
    log "WARNING: $name exited with status $rc on SIGTERM"
    NOTES+=("$name exited with status $rc on SIGTERM (expected 0)")
  fi
  [ -f "$WORK/$name.err" ] && [ -s "$WORK/$name.err" ] && raw "$name stderr" "$WORK/$name.err"
  return 0
}

NOTES=()

# warm_all BASEURL PATHSFILE LABEL: GET every path once (2 curl processes, keep-alive);
# sets WARM_OK to how many answered 200
warm_all() {
  local base=$1 paths=$2 label=$3 n half
  n=$(wc -l <"$paths")
  half=$(( (n + 1) / 2 ))
  awk -v b="$base" '{ printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", b, $0 }' "$paths" >"$WORK/warm.cfg"
  # 2 lines per URL in the config: split it into two halves on a URL boundary
  head -n $(( half * 2 )) "$WORK/warm.cfg" >"$WORK/warm1.cfg"
  tail -n +$(( half * 2 + 1 )) "$WORK/warm.cfg" >"$WORK/warm2.cfg"
  timeout "$WARM_LIMIT" curl -s --max-time 60 -w '%{http_code}\n' -K "$WORK/warm1.cfg" >"$WORK/warm1.codes" 2>/dev/null </dev/null &
  local c1=$!
  BGPIDS+=("$c1")
  bg_run timeout "$WARM_LIMIT" curl -s --max-time 60 -w '%{http_code}\n' -K "$WORK/warm2.cfg" >"$WORK/warm2.codes" 2>/dev/null </dev/null || true
  wait "$c1" || true
  local ok bad
  ok=$(cat "$WORK/warm1.codes" "$WORK/warm2.codes" | grep -c '^200$' || true)
  bad=$(cat "$WORK/warm1.codes" "$WORK/warm2.codes" | grep -v '^200$' | sort | uniq -c | tr -s ' ' | paste -sd, -) || true
  if [ "$ok" != "$n" ]; then
    log "WARNING: warming $label: $ok of $n paths answered 200 (others: ${bad:-no answer})"
    NOTES+=("warming $label: only $ok of $n article requests answered 200 (others: ${bad:-no answer})")
  fi
  WARM_OK=$ok
}

# ---------------------------------------------------------------- wrk
# run_wrk LABEL URL [wrk args...]: warm-up run, then the measured run; sets W_* variables
run_wrk() {
  local label=$1 url=$2 f
  shift 2
  wait_idle
  bg_run timeout "$WARM_BOUND" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >"$WORK/wrk-$label-warm.txt" 2>&1 </dev/null || true
  f=$WORK/wrk-$label.txt
  log "wrk $label: -t$THREADS -c$CONNECTIONS -d$DURATION $* $url"
  local pids c0 c1 s0 s1 k0 k1
  pids=$(all_pids $MEAS_PIDS | tr '\n' ' ')
  c0=$(cpu_total); s0=$(proc_ticks $pids); child_ticks; k0=$K_T
  bg_run timeout "$WRK_BOUND" wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" >"$f" 2>&1 </dev/null || log "WARNING: wrk $label exited non-zero"
  c1=$(cpu_total); s1=$(proc_ticks $pids); child_ticks; k1=$K_T
  # shares of all CPU time of the machine during the run: server, wrk, everything else
  W_CPU=$(awk -v c0="$c0" -v c1="$c1" -v s=$(( s1 - s0 )) -v k=$(( k1 - k0 )) 'BEGIN {
    split(c0, a, " "); split(c1, b, " "); busy = b[1] - a[1]; tot = b[2] - a[2]; if (tot <= 0) tot = 1
    o = busy - s - k; if (o < 0) o = 0
    printf "%.0f/%.0f/%.0f", 100 * s / tot, 100 * k / tot, 100 * o / tot }')
  W_OTHER=${W_CPU##*/}
  if [ "$W_OTHER" -ge 10 ]; then
    NOTES+=("wrk $label: other processes used ${W_OTHER}% of the machine's CPU during the run (figure depressed)")
  fi
  { echo "CPU share server/wrk/other: $W_CPU %"; echo "loadavg after: $(cat /proc/loadavg)"; } >>"$f"
  raw "wrk $label ($url)" "$f"
  W_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$f"); W_RPS=${W_RPS:-0}
  W_P50=$(awk '$1 == "50%" { print $2 }' "$f"); W_P50=${W_P50:-?}
  W_P99=$(awk '$1 == "99%" { print $2 }' "$f"); W_P99=${W_P99:-?}
  W_REQ=$(awk '/ requests in / { print $1 }' "$f"); W_REQ=${W_REQ:-0}
  W_READ=$(awk '/ requests in / { sub(/,$/, "", $5); print $5 }' "$f")
  W_NON2XX=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$f"); W_NON2XX=${W_NON2XX:-0}
  W_SOCK=$(awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); print }' "$f")
  W_ERR="non-2xx $W_NON2XX"
  [ -n "$W_SOCK" ] && W_ERR="$W_ERR; socket errors: $W_SOCK"
  if [ "$W_NON2XX" != 0 ] || [ -n "$W_SOCK" ]; then
    NOTES+=("wrk $label: $W_ERR")
  fi
  log "wrk $label: $W_RPS req/s, p50 $W_P50, p99 $W_P99, $W_ERR; CPU server/wrk/other $W_CPU %"
}
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", n * 1000 / ms; else print "?" }'; }
fmt_rps() { awk -v r="$1" 'BEGIN { printf "%.0f", r }'; }

# check_http NAME URL: headers of one response; keep-alive across two requests; Connection: close?
check_http() {
  local name=$1 url=$2 hdr=$WORK/hdr-$1.txt v=$WORK/verbose-$1.txt
  timeout 60 curl -sS -v --max-time 20 -o /dev/null -o /dev/null "$url" "$url" 2>"$v" || true
  grep '^< ' "$v" | sed 's/^< //' | tr -d '\r' >"$hdr" || true
  raw "headers $name ($url), two requests on one curl" "$hdr"
  if grep -qi '^connection: *close' "$hdr"; then
    NOTES+=("$name: response carries 'Connection: close'")
  fi
  if ! grep -q 'Re-using existing connection\|Reusing existing connection' "$v"; then
    NOTES+=("$name: curl could not reuse the connection for a second request (no keep-alive?)")
  fi
  local st; st=$(grep -m1 '^HTTP/' "$hdr" | awk '{ print $2 }')
  [ "$st" = 200 ] || NOTES+=("$name: status ${st:-none} for $url")
}

# ---------------------------------------------------------------- site with $ARTICLES articles
SMALL=$WORK/site-small
mkdir -p "$SMALL"
log "generating $ARTICLES articles"
bg_run "$PY" "$HERE/gen_articles.py" -n "$ARTICLES" --seed 1 --paths "$WORK/paths-small.txt" >"$WORK/small.jsonl"
timeout 120 "$BIN" --data "$SMALL" init --title "Depesche Benchmark" --base-url "http://127.0.0.1:8080" --lang de \
  >>"$LOG" 2>&1 || die "depesche init failed (see $LOG)"
t0=$EPOCHREALTIME
bg_run timeout 1800 "$BIN" --data "$SMALL" post import <"$WORK/small.jsonl" >"$WORK/import-small.out" 2>"$WORK/import-small.err" \
  || { cat "$WORK/import-small.err" >&2; die "post import ($ARTICLES) failed"; }
IMPORT_SMALL_MS=$(ms_since "$t0" "$EPOCHREALTIME")
log "import $ARTICLES: $(tail -1 "$WORK/import-small.out") in ${IMPORT_SMALL_MS} ms"
grep -q "imported $ARTICLES" "$WORK/import-small.out" || NOTES+=("post import printed '$(tail -1 "$WORK/import-small.out")', expected 'imported $ARTICLES'")

# the article of (a)/(b): the middle one of the generated list
ART=$(sed -n "$(( (ARTICLES + 1) / 2 ))p" "$WORK/paths-small.txt")

# ---- server A: with cache
start_depesche srvA "$SMALL" --listen 127.0.0.1:0
A_WRAP=$SRV_WRAP A_PID=$SRV_PID A_URL=$SRV_URL
sleep 0.5
RSS_SMALL_START=$(rss_kb "$A_PID")
log "warming: GET each of $ARTICLES articles once"
t0=$EPOCHREALTIME
warm_all "$A_URL" "$WORK/paths-small.txt" "$ARTICLES articles"; WARM_OK_SMALL=$WARM_OK
WARM_SMALL_MS=$(ms_since "$t0" "$EPOCHREALTIME")
RSS_SMALL_WARM=$(rss_kb "$A_PID")
log "VmRSS with $ARTICLES articles: after start $(mib "$RSS_SMALL_START"), after warming $(mib "$RSS_SMALL_WARM") ($WARM_OK_SMALL x 200 in $WARM_SMALL_MS ms)"

check_http article "$A_URL$ART"
check_http feed "$A_URL/feed/"
check_http healthz "$A_URL/healthz"

# the exact bytes of the article page, for nginx
timeout 60 curl -sS --max-time 20 -o "$WORK/article.html" -w '%{http_code} %{content_type}\n' "$A_URL$ART" >"$WORK/article.meta"
read -r ART_STATUS ART_CTYPE <"$WORK/article.meta" || true
[ "$ART_STATUS" = 200 ] || die "article $ART answered $ART_STATUS"
ART_BYTES=$(wc -c <"$WORK/article.html")
FEED_BYTES=$(timeout 60 curl -sS --max-time 20 -o /dev/null -w '%{size_download}' "$A_URL/feed/" || echo "?")

# (a) article page, depesche
MEAS_PIDS=$A_PID
run_wrk a-article "$A_URL$ART"
A_RPS=$W_RPS A_CPU=$W_CPU A_P50=$W_P50 A_P99=$W_P99 A_ERR=$W_ERR A_REQ=$W_REQ A_READ=$W_READ

# (b) the same bytes from nginx
DOC=$WORK/nginx/docroot
mkdir -p "$DOC$ART" "$WORK/nginx/tmp" "$WORK/nginx/logs"
cp "$WORK/article.html" "$DOC${ART}index.html"
chmod -R a+rX "$WORK/nginx"
NGX_PORT="" NGX_WRAP=""
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  cat >"$WORK/nginx/nginx.conf" <<EOF
# generated by bench/run.sh
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    sendfile on;
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $DOC;
        index index.html;
    }
}
EOF
  timeout -k 5 "$SERVER_LIFETIME" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" \
    >"$WORK/nginx/stdout" 2>&1 </dev/null &
  NGX_WRAP=$!
  WRAPPERS+=("$NGX_WRAP")
  for i in $(seq 1 100); do
    code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$port$ART" 2>/dev/null) || true
    [ "$code" = 200 ] && { NGX_PORT=$port; break; }
    kill -0 "$NGX_WRAP" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$NGX_PORT" ] && break
  stop_server "$NGX_WRAP" nginx
  raw "nginx error.log (attempt $attempt)" "$WORK/nginx/logs/error.log"
done
[ -n "$NGX_PORT" ] || die "nginx did not start (see $LOG)"
NGX_URL=http://127.0.0.1:$NGX_PORT
timeout 60 curl -sS --max-time 20 -o "$WORK/article-nginx.html" "$NGX_URL$ART"
cmp -s "$WORK/article.html" "$WORK/article-nginx.html" || die "nginx does not serve the same bytes"
check_http nginx "$NGX_URL$ART"
HDR_DEP=$(awk 'NR == 1, /^$/ { n += length($0) + 2 } END { print n }' "$WORK/hdr-article.txt")
HDR_NGX=$(awk 'NR == 1, /^$/ { n += length($0) + 2 } END { print n }' "$WORK/hdr-nginx.txt")
log "nginx: $NGX_URL$ART serves the same $ART_BYTES bytes (headers: depesche ~$HDR_DEP B, nginx ~$HDR_NGX B)"
MEAS_PIDS=$(server_pid "$NGX_WRAP")
run_wrk b-nginx "$NGX_URL$ART"
B_RPS=$W_RPS B_CPU=$W_CPU B_P50=$W_P50 B_P99=$W_P99 B_ERR=$W_ERR
stop_server "$NGX_WRAP" nginx
RATIO=$(awk -v a="$A_RPS" -v b="$B_RPS" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
GOAL_A=$(awk -v r="$RATIO" 'BEGIN { print (r != "?" && r + 0 >= 1.0) ? "met" : "MISSED" }')

# (c) /feed/
MEAS_PIDS=$A_PID
run_wrk c-feed "$A_URL/feed/"
C_RPS=$W_RPS C_CPU=$W_CPU C_P50=$W_P50 C_P99=$W_P99 C_ERR=$W_ERR

# (d') the rotation of (d) against the cached server, for reference
export BENCH_PATHS=$WORK/paths-small.txt     # read by rotate.lua
run_wrk d-rotate-cached "$A_URL/" -s "$HERE/rotate.lua"
DC_RPS=$W_RPS DC_CPU=$W_CPU DC_P50=$W_P50 DC_P99=$W_P99 DC_ERR=$W_ERR
RSS_SMALL_AFTER=$(rss_kb "$A_PID")
HWM_SMALL=$(hwm_kb "$A_PID")
stop_server "$A_WRAP" srvA

# (d) cache misses: a separate server with --no-cache, rotating over all article URLs
start_depesche srvD "$SMALL" --listen 127.0.0.1:0 --no-cache
D_WRAP=$SRV_WRAP D_PID=$SRV_PID D_URL=$SRV_URL
check_http nocache-article "$D_URL$ART"
MEAS_PIDS=$D_PID
run_wrk d-nocache "$D_URL/" -s "$HERE/rotate.lua"
D_RPS=$W_RPS D_CPU=$W_CPU D_P50=$W_P50 D_P99=$W_P99 D_ERR=$W_ERR
RSS_NOCACHE=$(rss_kb "$D_PID")
stop_server "$D_WRAP" srvD
GOAL_D=$(awk -v r="$D_RPS" 'BEGIN { print (r + 0 >= 9000) ? "met" : "MISSED" }')

# ---------------------------------------------------------------- site with $BIG articles
BIG_DONE=0
if [ "$BIG" -gt 0 ]; then
  BIGD=$WORK/site-big
  mkdir -p "$BIGD"
  log "generating $BIG articles"
  t0=$EPOCHREALTIME
  bg_run "$PY" "$HERE/gen_articles.py" -n "$BIG" --seed 2 --paths "$WORK/paths-big.txt" >"$WORK/big.jsonl"
  GEN_BIG_MS=$(ms_since "$t0" "$EPOCHREALTIME")
  log "generated $(du -m "$WORK/big.jsonl" | cut -f1) MB of JSON Lines in $GEN_BIG_MS ms"
  timeout 120 "$BIN" --data "$BIGD" init --title "Depesche Benchmark (big)" --base-url "http://127.0.0.1:8080" --lang de \
    >>"$LOG" 2>&1 || die "depesche init (big) failed"
  log "importing $BIG articles (one transaction)"
  t0=$EPOCHREALTIME
  bg_run timeout 3600 "$BIN" --data "$BIGD" post import <"$WORK/big.jsonl" >"$WORK/import-big.out" 2>"$WORK/import-big.err" \
    || { cat "$WORK/import-big.err" >&2; die "post import ($BIG) failed"; }
  IMPORT_BIG_MS=$(ms_since "$t0" "$EPOCHREALTIME")
  log "import $BIG: $(tail -1 "$WORK/import-big.out") in ${IMPORT_BIG_MS} ms"
  grep -q "imported $BIG" "$WORK/import-big.out" || NOTES+=("post import printed '$(tail -1 "$WORK/import-big.out")', expected 'imported $BIG'")
  rm -f "$WORK/big.jsonl"
  DB_MB=$(du -cm "$BIGD"/depesche.db* 2>/dev/null | tail -1 | cut -f1)
  BIG_ART=$(sed -n "$(( (BIG + 1) / 2 ))p" "$WORK/paths-big.txt")

  # start-up: exec of `serve` -> "listening" line / first /healthz 200 / first article 200
  T_LISTEN=() T_HEALTH=() T_ARTICLE=()
  for run in $(seq 1 "$STARTUP_RUNS"); do
    port=$(free_port)
    name=srvB$run
    : >"$WORK/$name.out"
    t0=$EPOCHREALTIME
    timeout -k 5 "$SERVER_LIFETIME" "$BIN" --data "$BIGD" serve --listen "127.0.0.1:$port" \
      >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
    w=$!
    WRAPPERS+=("$w")
    tl="" th="" ta=""
    while :; do
      # the stdout file's mtime is the moment the "listening" line was written
      [ -z "$tl" ] && grep -q 'listening on' "$WORK/$name.out" && tl=$(stat -c %.9Y "$WORK/$name.out")
      code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null) || true
      if [ "$code" = 200 ]; then th=$EPOCHREALTIME; break; fi
      kill -0 "$w" 2>/dev/null || { raw "$name stderr" "$WORK/$name.err"; die "serve ($BIG articles) exited during start-up"; }
      [ "$(ms_since "$t0" "$EPOCHREALTIME")" -lt 300000 ] || die "serve ($BIG articles): no /healthz 200 within 300 s"
      sleep 0.005
    done
    code=$(curl -s -o /dev/null --max-time 120 -w '%{http_code}' "http://127.0.0.1:$port$BIG_ART" 2>/dev/null) || true
    ta=$EPOCHREALTIME
    [ "$code" = 200 ] || NOTES+=("start-up run $run: first article answered ${code:-nothing}")
    for i in $(seq 1 100); do [ -n "$tl" ] && break; grep -q 'listening on' "$WORK/$name.out" && tl=$(stat -c %.9Y "$WORK/$name.out"); sleep 0.01; done
    T_LISTEN+=("$( [ -n "$tl" ] && ms_since "$t0" "$tl" || echo '?')")
    T_HEALTH+=("$(ms_since "$t0" "$th")")
    T_ARTICLE+=("$(ms_since "$t0" "$ta")")
    log "start-up run $run ($BIG articles): listening ${T_LISTEN[-1]} ms, /healthz ${T_HEALTH[-1]} ms, article ${T_ARTICLE[-1]} ms"
    if [ "$run" -lt "$STARTUP_RUNS" ]; then stop_server "$w" "$name"; else B_WRAP=$w; B_PID=$(server_pid "$w"); B_URL=http://127.0.0.1:$port; fi
  done
  sleep 0.5
  RSS_BIG_START=$(rss_kb "$B_PID")
  log "warming: GET each of $BIG articles once"
  t0=$EPOCHREALTIME
  warm_all "$B_URL" "$WORK/paths-big.txt" "$BIG articles"; WARM_OK_BIG=$WARM_OK
  WARM_BIG_MS=$(ms_since "$t0" "$EPOCHREALTIME")
  RSS_BIG_WARM=$(rss_kb "$B_PID")
  HWM_BIG=$(hwm_kb "$B_PID")
  log "VmRSS with $BIG articles: after start $(mib "$RSS_BIG_START"), after warming $(mib "$RSS_BIG_WARM") ($WARM_OK_BIG x 200 in $WARM_BIG_MS ms)"
  stop_server "$B_WRAP" "srvB$STARTUP_RUNS"
  BIG_DONE=1
fi

# ---------------------------------------------------------------- results
{
  echo "# Depesche benchmark results"
  echo
  echo "- date: $STAMP"
  echo "- machine: nproc $(nproc), $CPU_MODEL, $MEM_TOTAL RAM, kernel $(uname -r)"
  echo "- versions: depesche $DEP_VER (git $GIT_REV), wrk $WRK_VER, $NGINX_VER, curl $(curl --version | head -1 | awk '{ print $2 }')"
  echo "- command: \`$CMDLINE\`"
  echo "- wrk: -t$THREADS -c$CONNECTIONS -d$DURATION after a $WARMUP warm-up run with the same parameters; wrk and the server share the same $(nproc) cores (no pinning), all on 127.0.0.1"
  echo "- article of (a)/(b): $ART ($ART_BYTES bytes, $ART_CTYPE); /feed/: $FEED_BYTES bytes; response headers ~$HDR_DEP B (depesche) vs ~$HDR_NGX B (nginx)"
  echo
  echo "| # | what | req/s | p50 | p99 | errors | CPU % server/wrk/other |"
  echo "|---|---|---:|---:|---:|---|---|"
  echo "| a | article page, depesche (cache on) | $(fmt_rps "$A_RPS") | $A_P50 | $A_P99 | $A_ERR | $A_CPU |"
  echo "| b | the same bytes, nginx static file | $(fmt_rps "$B_RPS") | $B_P50 | $B_P99 | $B_ERR | $B_CPU |"
  echo "| a/b | ratio (goal ≥ 1.0) | **$RATIO** — $GOAL_A | | | | |"
  echo "| c | /feed/, depesche (cache on) | $(fmt_rps "$C_RPS") | $C_P50 | $C_P99 | $C_ERR | $C_CPU |"
  echo "| d | cache misses: --no-cache, rotating over $ARTICLES articles (goal ≥ 9,000 pages/s) | **$(fmt_rps "$D_RPS")** — $GOAL_D | $D_P50 | $D_P99 | $D_ERR | $D_CPU |"
  echo "| d' | the same rotation, cache on (reference) | $(fmt_rps "$DC_RPS") | $DC_P50 | $DC_P99 | $DC_ERR | $DC_CPU |"
  echo
  echo "| articles | import | VmRSS after start | VmRSS after warming (each article once) | VmHWM |"
  echo "|---:|---:|---:|---:|---:|"
  echo "| $ARTICLES | $IMPORT_SMALL_MS ms | $(mib "$RSS_SMALL_START") | $(mib "$RSS_SMALL_WARM") | $(mib "$HWM_SMALL") (after a–d') |"
  if [ "$BIG_DONE" = 1 ]; then
    echo "| $BIG | $IMPORT_BIG_MS ms | $(mib "$RSS_BIG_START") | $(mib "$RSS_BIG_WARM") | $(mib "$HWM_BIG") |"
  fi
  echo
  echo "VmRSS of the cache-on server after a–d': $(mib "$RSS_SMALL_AFTER"); of the --no-cache server after d: $(mib "$RSS_NOCACHE")."
  echo "Warming (every article once, 2 curl keep-alive connections, each request a cache miss): $ARTICLES articles in $WARM_SMALL_MS ms ($(per_s "$WARM_OK_SMALL" "$WARM_SMALL_MS") pages/s)${WARM_BIG_MS:+; $BIG articles in $WARM_BIG_MS ms ($(per_s "$WARM_OK_BIG" "$WARM_BIG_MS") pages/s)}."
  echo "CPU % server/wrk/other: shares of all the machine's CPU time during the measured run (100 = both cores busy); 'other' is everything else on the machine."
  if [ "$BIG_DONE" = 1 ]; then
    echo
    echo "Start-up with $BIG articles (database ${DB_MB} MB), exec of \`serve\` until … (ms; $STARTUP_RUNS runs, median first):"
    echo
    echo "| \"listening on\" printed | first /healthz 200 | first article page 200 |"
    echo "|---:|---:|---:|"
    echo "| $(echo "${T_LISTEN[*]}" | median) (${T_LISTEN[*]}) | $(echo "${T_HEALTH[*]}" | median) (${T_HEALTH[*]}) | $(echo "${T_ARTICLE[*]}" | median) (${T_ARTICLE[*]}) |"
  fi
  echo
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo "Observations:"
    for n in "${NOTES[@]}"; do echo "- $n"; done
  else
    echo "Observations: no non-2xx responses, no socket errors, keep-alive everywhere, no Connection: close."
  fi
} >"$WORK/results.txt"

cp "$WORK/results.txt" "$OUT"
raw "results" "$WORK/results.txt"
echo
cat "$OUT"
echo
echo "(written to $OUT; raw wrk output and headers in $LOG)"
