#!/usr/bin/python3
"""Runs every test suite `make test` promises and prints one closing line:
`N passed, N failed` (the line CI reads).

Suites: the cmocka unit tests (TAP, each case counted) in the normal and the
AddressSanitizer+UBSan build, the integration tests against both binaries,
the libFuzzer targets for a fixed number of inputs, and the browser checks
(Nu Html Checker, axe-core, 390 px width)."""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAP = re.compile(r"^(not ok|ok)\b(.*)$")
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")


class Totals:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, suite, p, f, s=0, failures=()):
        self.passed += p
        self.failed += f
        self.skipped += s
        self.failures += [f"{suite}: {x}" for x in failures]
        print(f"== {suite}: {p} passed, {f} failed" + (f", {s} skipped" if s else ""), flush=True)


def run_unit(build, label, totals, extra_env):
    tests = json.loads(subprocess.check_output(["meson", "introspect", "--tests", build]))
    for t in tests:
        env = dict(os.environ)
        env.update(t.get("env") or {})
        env.update(extra_env)
        env["CMOCKA_MESSAGE_OUTPUT"] = "TAP"
        try:
            out = subprocess.run(t["cmd"], env=env, capture_output=True, text=True,
                                 timeout=600, cwd=ROOT)
        except subprocess.TimeoutExpired:
            totals.add(f"{label} {t['name']}", 0, 1, failures=["timed out"])
            continue
        p = f = s = 0
        failed = []
        for line in out.stdout.splitlines():
            m = TAP.match(line)
            if not m:
                continue
            if "# SKIP" in m.group(2):
                s += 1
            elif m.group(1) == "ok":
                p += 1
            else:
                f += 1
                failed.append(line)
        if out.returncode != 0 and f == 0:
            f = 1
            failed.append(f"exit status {out.returncode}")
        if f:
            sys.stdout.write(out.stdout[-4000:] + out.stderr[-4000:])
        totals.add(f"{label} {t['name']}", p, f, s, failed)


def run_suite(label, cmd, totals, env=None):
    e = dict(os.environ)
    e.update(env or {})
    proc = subprocess.run(cmd, cwd=ROOT, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    sys.stdout.write(proc.stdout)
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    m = SUMMARY.search(lines[-1]) if lines else None
    if not m:
        totals.add(label, 0, 1, failures=[f"no summary line (exit {proc.returncode})"])
        return
    p, f, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if proc.returncode != 0 and f == 0:
        f = 1
    totals.add(label, p, f, s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--asan-build", default="build-asan")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    totals = Totals()
    asan_env = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
                "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}

    run_unit(os.path.join(ROOT, args.build), "unit", totals, {})
    run_unit(os.path.join(ROOT, args.asan_build), "unit-asan", totals, asan_env)
    integ = [sys.executable, "tests/integration/run.py", "--bin"]
    run_suite("integration", integ + [os.path.join(ROOT, args.build, "depesche")], totals)
    run_suite("integration-asan", integ + [os.path.join(ROOT, args.asan_build, "depesche")],
              totals, asan_env)
    run_suite("fuzz", ["sh", "tests/fuzz/run.sh"], totals)
    if not args.skip_browser:
        run_suite("browser", ["sh", "tests/browser/run.sh",
                              os.path.join(ROOT, args.build, "depesche")], totals)

    for f in totals.failures:
        print("FAILED", f)
    line = f"{totals.passed} passed, {totals.failed} failed"
    if totals.skipped:
        line += f", {totals.skipped} skipped"
    print(line)
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
