#!/usr/bin/python3
"""Runs every tests/integration/test_*.py against the real binary.

    /usr/bin/python3 tests/integration/run.py [--bin PATH] [-k PATTERN] [test_module ...]

--bin PATH   the binary to test (default: $DEPESCHE_BIN, else build/depesche);
             a snapshot copy of it is tested (--no-copy: run it in place)
-k PATTERN   only tests whose id contains PATTERN (may be repeated)

The last line of output is always
    integration: N passed, N failed[, N skipped]
and the exit status is 1 on any failure (or error), else 0.
Use the Debian interpreter (/usr/bin/python3): it has python3-feedparser.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the work tree


class CountingResult(unittest.TextTestResult):
    """Counts tests, not subtests: a test passes when it and all its subtests
    pass; a failing class/module fixture counts once."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed_ids = set()
        self.failed_ids = set()
        self.skipped_ids = set()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed_ids.add(test.id())

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failed_ids.add(test.id())

    def addError(self, test, err):
        super().addError(test, err)
        self.failed_ids.add(test.id())

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.failed_ids.add(test.id())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skipped_ids.add(test.id())

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.failed_ids.add(test.id())

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.passed_ids.add(test.id())


def filter_suite(suite, patterns):
    out = unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            sub = filter_suite(t, patterns)
            if sub.countTestCases():
                out.addTest(sub)
        elif any(p in t.id() for p in patterns):
            out.addTest(t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", help="depesche binary to test")
    ap.add_argument("--no-copy", action="store_true",
                    help="run the binary in place instead of a snapshot copy")
    ap.add_argument("-k", action="append", default=[], help="only tests whose id contains this")
    ap.add_argument("modules", nargs="*", help="test modules (default: all test_*.py)")
    args = ap.parse_args()

    if args.bin:
        os.environ["DEPESCHE_BIN"] = os.path.abspath(args.bin)
    sys.path.insert(0, HERE)
    import harness  # noqa: E402  (after DEPESCHE_BIN is set)

    print("integration: binary %s" % harness.binary(), flush=True)
    snapshot = None
    if not os.access(harness.binary(), os.X_OK):
        print("integration: WARNING: %s is missing or not executable" % harness.binary(), flush=True)
    elif not args.no_copy:
        # Test a copy: a rebuild during the run must not swap the binary under
        # running servers (or mix two builds in one run).
        snapshot = tempfile.mkdtemp(prefix="depesche-it-bin-")
        dst = os.path.join(snapshot, "depesche")
        shutil.copy2(harness.binary(), dst)
        os.environ["DEPESCHE_BIN"] = dst
    try:
        import feedparser  # noqa: F401,F811
        del feedparser
    except ImportError:
        print("integration: WARNING: no feedparser in %s (use /usr/bin/python3)" % sys.executable,
              flush=True)

    loader = unittest.TestLoader()
    if args.modules:
        names = [m[:-3] if m.endswith(".py") else m for m in args.modules]
        names = [os.path.basename(n) for n in names]
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if args.k:
        suite = filter_suite(suite, args.k)

    runner = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult, stream=sys.stdout)
    t0 = time.monotonic()
    try:
        result = runner.run(suite)
    finally:
        if snapshot:
            shutil.rmtree(snapshot, ignore_errors=True)
    sys.stdout.flush()

    failed = result.failed_ids
    passed = result.passed_ids - failed
    skipped = result.skipped_ids - failed - passed
    line = "integration: %d passed, %d failed" % (len(passed), len(failed))
    if skipped:
        line += ", %d skipped" % len(skipped)
    sys.stderr.flush()
    print("(%.1f s)" % (time.monotonic() - t0))
    print(line, flush=True)
    return 1 if failed or not result.wasSuccessful() else 0


if __name__ == "__main__":
    sys.exit(main())
