#!/bin/sh
# tests/fuzz/run.sh — builds the libFuzzer targets with clang (ASan + UBSan)
# and runs each for a fixed number of inputs from a fixed seed, so a run is
# repeatable and bounded. Longer hunts: RUNS=10000000 tests/fuzz/run.sh
# Prints "ok - NAME" / "not ok - NAME" and "fuzz: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD:-$root/build-fuzz}
runs=${RUNS:-20000}
mkdir -p "$out"
pass=0 fail=0

# The library sources, without main.c and the tests.
srcs=$(cd "$root" && ls src/*/*.c src/*/*/*.c | grep -v '_test\.c$' | grep -v '^src/cli/')
flags="-std=c17 -g -O1 -D_GNU_SOURCE -DDEPESCHE_VERSION=\"fuzz\" -DDEPESCHE_THEME_DIR=\"$root/themes/default\" -I$root/src"
libs="$(pkg-config --cflags --libs libmicrohttpd sqlite3 libcmark-gfm libsodium jansson zlib libbrotlienc libcurl opendkim) -lcmark-gfm-extensions -lstemmer -lpthread -lm"

for t in route mustache markdown comment search; do
  bin="$out/fuzz_$t"
  # shellcheck disable=SC2086
  if ! (cd "$root" && clang $flags -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -o "$bin" "tests/fuzz/fuzz_$t.c" $srcs $libs) \
        > "$out/fuzz_$t.build.log" 2>&1; then
    echo "not ok - fuzz $t (build failed)"; sed 's/^/#   /' "$out/fuzz_$t.build.log" | tail -20
    fail=$((fail + 1)); continue
  fi
  # A fresh corpus from the seeds every run: the same inputs every time.
  corpus="$out/corpus_$t"
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "$here"/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  if "$bin" -seed=1 -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
       -artifact_prefix="$out/" \
       "$corpus" > "$out/fuzz_$t.log" 2>&1; then
    echo "ok - fuzz $t ($runs inputs)"; pass=$((pass + 1))
  else
    echo "not ok - fuzz $t"; sed 's/^/#   /' "$out/fuzz_$t.log" | grep -v '^#   #' | tail -30
    fail=$((fail + 1))
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
