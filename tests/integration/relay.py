"""A real SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd) in a
thread on 127.0.0.1, keeping every message it accepts. `answers` maps a
recipient to an SMTP reply ("451 …", "550 …") given instead of accepting it.

    relay = Relay(); ...; relay.wait_for(lambda m: ..., what="the mail")
    msg = parse(raw)      # an email.message.EmailMessage, as a client reads it
"""

import asyncio
import email
import email.policy
import socket
import threading

from harness import DEADLINE, poll

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pragma: no cover - reported by the tests that need it
    Controller = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """An SMTP server in a thread. answers: recipient -> "451 …" / "550 …"."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # (mail_from, [rcpt], bytes)
        self.answers = {}
        self.delay = 0.0  # seconds each DATA takes (messages in flight)
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def reset(self):
        with self.lock:
            self.messages = []
            self.answers = {}
        self.delay = 0.0

    def received(self):
        with self.lock:
            return list(self.messages)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            answer = self.answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  bytes(envelope.original_content or envelope.content)))
            n = len(self.messages)
        return "250 2.0.0 Ok: queued as T%d" % n


def parse(raw):
    """The message as a mail client reads it (headers decoded, MIME parts)."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def to_of(raw):
    return parse(raw)["To"].addresses[0].addr_spec


def wait_for_mail(relay, rcpt, count=1, deadline=DEADLINE, what=None):
    """Waits until relay has count messages for rcpt; returns their bytes."""
    def found():
        got = [raw for (_f, tos, raw) in relay.received() if rcpt in tos]
        return got if len(got) >= count else None
    return poll(found, deadline=deadline, what=what or "%d mail(s) to %s" % (count, rcpt))
