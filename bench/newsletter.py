#!/usr/bin/python3
"""Benchmark: one newsletter issue to N confirmed subscribers through a local
SMTP server, timed from "send" to the last message accepted by the relay.

    bench/newsletter.py [--bin build/depesche] [--subscribers 100000]
                        [--connections 8] [--rate 10000]

What runs: a fresh site; N subscribers imported with `depesche subscriber
import` (timed apart); an issue made with `depesche newsletter create` and
started with `newsletter send`; then `depesche mail run` — the dispatcher
queues the issue in batches into the outbox while the sender delivers it over
SMTP to bench/smtp_sink.c (a C sink on 127.0.0.1 that accepts and discards,
so the relay is not what is measured). The clock stops when the outbox holds
N sent messages of the issue. Peak memory is the ru_maxrss of the
`mail run` process (dispatcher + sender), read by wait4() after SIGTERM.

Goals (issue 4): under 60 s for 100,000 subscribers; under 64 MB peak.
Loopback only; stops by itself (a 15-minute limit)."""

import argparse
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIMIT = 900  # seconds: the whole run stops by itself after this


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(binary, data, *args, stdin=None):
    p = subprocess.run([binary, "--data", data, *args], input=stdin, capture_output=True,
                       timeout=LIMIT)
    if p.returncode != 0:
        sys.exit("depesche %s failed: %s" % (" ".join(args), p.stderr.decode(errors="replace")))
    return p.stdout.decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "depesche"))
    ap.add_argument("--subscribers", type=int, default=100000)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rate", type=int, default=10000)
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="depesche-bench-mail-")
    sink_bin = os.path.join(work, "smtp_sink")
    subprocess.run(["cc", "-O2", "-pthread", "-o", sink_bin, os.path.join(HERE, "smtp_sink.c")],
                   check=True)
    port = free_port()
    countfile = os.path.join(work, "sink.count")
    sink = subprocess.Popen([sink_bin, str(port), countfile], stdout=subprocess.PIPE)
    sink.stdout.readline()  # "listening"

    data = os.path.join(work, "site")
    cli(a.bin, data, "init", "--title", "Bench Nachrichten", "--base-url", "https://news.example.org")
    for k, v in (("smtp.url", "smtp://127.0.0.1:%d" % port),
                 ("mail.from", "Bench Nachrichten <news@news.example.org>"),
                 ("mail.rate", str(a.rate)), ("mail.connections", str(a.connections))):
        cli(a.bin, data, "config", "set", k, v)

    csv = "".join("leserin%06d@example.net\n" % i for i in range(a.subscribers)).encode()
    t = time.monotonic()
    cli(a.bin, data, "subscriber", "import", "-", "--note", "benchmark: generated addresses",
        stdin=csv)
    t_import = time.monotonic() - t

    body = ("## Die Woche in der Redaktion\n\n" + "Ein Absatz mit Neuigkeiten, Umlauten (äöüß) "
            "und einem [Link](https://news.example.org/artikel/). " * 12 + "\n\n") * 4
    issue = cli(a.bin, data, "newsletter", "create", "--subject",
                "Wochenrückblick: Schiene, Stadtrat und Sommerfest", stdin=body.encode()).strip()
    cli(a.bin, data, "newsletter", "send", issue)

    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "depesche.db"), uri=True,
                         timeout=30)
    t0 = time.monotonic()
    sender = subprocess.Popen([a.bin, "--data", data, "mail", "run"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    sent = queued_done_at = 0
    deadline = t0 + LIMIT
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if sender.poll() is not None:
            sys.exit("mail run stopped: %s" % sender.stderr.read().decode(errors="replace"))
        sent = db.execute("SELECT count(*) FROM outbox WHERE newsletter_id = ? AND status = 2",
                          (int(issue),)).fetchone()[0]
        if not queued_done_at and db.execute("SELECT status FROM newsletters WHERE id = ?",
                                             (int(issue),)).fetchone()[0] == 2:
            queued_done_at = time.monotonic() - t0
        if sent >= a.subscribers:
            break
    elapsed = time.monotonic() - t0
    sender.send_signal(signal.SIGTERM)
    _pid, _status, usage = os.wait4(sender.pid, 0)
    sink.send_signal(signal.SIGTERM)
    sink.wait(timeout=30)
    accepted = int(open(countfile).read().split()[0])
    failed = db.execute("SELECT count(*) FROM outbox WHERE status = 3").fetchone()[0]
    size = db.execute("SELECT avg(length(b.message)) FROM outbox o JOIN outbox_bodies b"
                      " ON b.id = o.id WHERE o.newsletter_id = ?",
                      (int(issue),)).fetchone()[0] or 0

    ok = sent >= a.subscribers
    print("newsletter benchmark (%d subscribers, %d SMTP connections, rate limit %d/s)"
          % (a.subscribers, a.connections, a.rate))
    print("  import of subscribers          %8.2f s" % t_import)
    print("  all mails queued after         %8.2f s" % queued_done_at)
    print("  all mails accepted by relay    %8.2f s%s" % (elapsed, "" if ok else "  (NOT DONE)"))
    print("  throughput                     %8.0f messages/s" % (sent / elapsed if elapsed else 0))
    print("  message size (average)         %8.0f bytes" % size)
    print("  peak memory of mail run        %8.1f MiB" % (usage.ru_maxrss / 1024.0))
    print("  sent %d, failed %d, relay accepted %d" % (sent, failed, accepted))
    print("  goal: < 60 s and < 64 MiB: %s" % (
        "met" if ok and elapsed < 60 and usage.ru_maxrss < 64 * 1024 else "NOT met"))
    subprocess.run(["rm", "-rf", work])
    return 0 if ok and accepted == sent else 1


if __name__ == "__main__":
    sys.exit(main())
