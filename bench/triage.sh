#!/usr/bin/env bash
# bench/triage.sh — how well the comment triage follows the comment policy:
# per-label precision, recall and F1, accuracy and confusion matrix of
# `depesche moderation score` on tests/moderation/labelled.jsonl, and its speed.
#
#   bench/triage.sh [--bin PATH] [--set FILE] [--errors] [--speed N]
#
# The rules were tuned on the lines with an even index (0, 2, ...); the odd
# lines are held out and reported separately, and so are the lines marked
# "part": "fresh", written after the rules were frozen. Two runs: the rules alone (no
# learned model, as on a new site), and the rules plus a model learnt from the
# even half only (`depesche moderation learn`), so the odd half stays unseen.
# --errors lists the misclassified comments with their reasons; --speed N
# times N comments of 1 KiB under an article of 5 KiB (default 2000, 0: skip).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BIN=${DEPESCHE_BIN:-$ROOT/build/depesche}
SET=$ROOT/tests/moderation/labelled.jsonl
PY=/usr/bin/python3
EVAL=$HERE/triage_eval.py
ERRORS=
SPEED=2000

while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--set) SET=$2; shift 2 ;;
	--errors) ERRORS=--errors; shift ;;
	--speed) SPEED=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "triage.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if ! "$BIN" moderation --help >/dev/null 2>&1; then
	echo "triage.sh: $BIN has no 'moderation' command (build it: meson setup build && ninja -C build)" >&2
	exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# CPU seconds (user + system) of one command: the machine may be busy with
# other work, and wall time would count that too.
cpu_of() {
	local TIMEFORMAT='%U %S' t
	t=$( { time "$@" > /dev/null; } 2>&1 )
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.6f", a[1] + a[2] }'
}

echo "triage bench: $(wc -l < "$SET") labelled comments from $SET"
echo "binary: $BIN"
echo

"$BIN" moderation score --no-model < "$SET" > "$TMP/rules.jsonl"
$PY "$EVAL" report "$SET" "$TMP/rules.jsonl" --title "rules only (no learned model)" $ERRORS

$PY "$EVAL" split "$SET" even | "$BIN" moderation learn --model "$TMP/model.json" > /dev/null
"$BIN" moderation score --model "$TMP/model.json" < "$SET" > "$TMP/learned.jsonl"
$PY "$EVAL" report "$SET" "$TMP/learned.jsonl" \
	--title "rules + model learnt from the even half (the odd half is unseen by both)" $ERRORS

n=$(wc -l < "$SET")
cpu=$(cpu_of sh -c "\"\$0\" moderation score --no-model < \"\$1\"" "$BIN" "$SET")
awk -v c="$cpu" -v n="$n" 'BEGIN { printf "labelled set: %.0f µs CPU per comment (process start and JSON included)\n", c / n * 1e6 }'
if [ "$SPEED" -gt 0 ]; then
	$PY "$EVAL" speed "$SPEED" 1024 5120 > "$TMP/speed.jsonl"
	cpu=$(cpu_of sh -c "\"\$0\" moderation score --no-model < \"\$1\"" "$BIN" "$TMP/speed.jsonl")
	awk -v c="$cpu" -v n="$SPEED" 'BEGIN { printf "speed: %d comments of 1 KiB under a 5 KiB article: %.0f µs CPU per comment (JSON parsing included;\n       triage_score alone: see the triage unit test)\n", n, c / n * 1e6 }'
fi
