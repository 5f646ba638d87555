"""The site's boxes: managed in the admin (/admin/boxes), rendered on the
public pages by the theme (partials/box and partials/boxes_*).

Driven like a browser without JavaScript (test_admin.Browser: form posts,
the session cookie, the CSRF token read from the page), checked on the
public pages of a running server and, read-only, in the database.

Covers: boxes appear where they are placed (sidebar and footer on the home
page, archives, articles and the 404 page; "below" only on article pages)
in their order, hidden ones nowhere; a change in the admin shows on a
running server's cached pages at once; hostile text in every field is
escaped on the public and the admin pages, and javascript:, data:,
protocol-relative and other foreign links are refused with the form kept;
the default jobs box of a new site lists the newest jobs once there are
some (`depesche job add`) and is absent while there are none; CSRF and
roles (a moderator or author gets 403); reorder, show, hide, move to
another place and delete (with its confirmation page), with the audit log;
and the Nu Html Checker on pages with every kind of box and on every admin
page of boxes, when java and vnu.jar are there."""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import Page, poll
import test_admin as ta

XSS = ta.XSS
FROM = "Der Testbote <news@example.org>"


def segment(text, start_re, end):
    """The part of text from the first match of start_re to the next end
    (exclusive); "" when start_re does not match."""
    m = re.search(start_re, text)
    if not m:
        return ""
    stop = text.find(end, m.end())
    return text[m.start():stop if stop >= 0 else len(text)]


def element(text, start_re):
    """The element whose start tag matches start_re (which must begin with
    "<name"), to its matching end tag, counting nested elements of the same
    name; "" when there is none."""
    m = re.search(start_re, text)
    if not m:
        return ""
    name = re.match(r"<([a-z0-9]+)", m.group(0)).group(1)
    depth = 0
    for t in re.finditer(r"<(/?)%s\b[^>]*>" % name, text[m.start():]):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return text[m.start():m.start() + t.end()]
    return text[m.start():]


def sidebar(text):
    return element(text, r'<aside class="boxes boxes-sidebar"')


def footer(text):
    return element(text, r'<footer class="site-footer"')


def below(text):
    return element(text, r'<div class="boxes boxes-below"')


def main_of(text):
    return element(text, r'<main id="main"')


def order_in(part, names):
    """Positions of names in part (-1 when absent)."""
    return [part.find(n) for n in names]


class BoxCase(ta.AdminCase):
    """An admin site (test_admin's accounts and two articles) with helpers
    to make boxes through the admin."""
    LOGINS = ("redakteur",)

    def editor(self):
        return self.as_["redakteur"]

    def create(self, browser=None, **fields):
        """Creates a box through the form; returns its id."""
        b = browser or self.editor()
        form = {"kind": "text", "place": "sidebar", "visible": "1", "title": "", "body": "",
                "link_url": "", "link_text": "", "image_url": "", "image_alt": "",
                "author": ""}
        form.update(fields)
        if form.get("visible") is None:
            del form["visible"]
        r = b.post("/admin/boxes/new", form)
        self.assertEqual(r.status, 303, "create %r: %r %s" % (fields, r, r.text[:3000]))
        m = re.search(r"#box-(\d+)$", r.h("location") or "")
        self.assertIsNotNone(m, "no #box-N in %r" % r.h("location"))
        return int(m.group(1))

    def action(self, action, box_id, browser=None, status=303):
        b = browser or self.editor()
        r = b.post("/admin/boxes", {"action": action, "id": str(box_id)})
        self.assertEqual(r.status, status, "%s %s: %r" % (action, box_id, r))
        return r

    def edit(self, box_id, **changes):
        """Sends the edit form as the browser has it, with changes."""
        b = self.editor()
        r = b.get("/admin/boxes/%d" % box_id)
        self.assertEqual(r.status, 200, r)
        from test_admin_mail import FormReader
        # A browser drops the line break that follows <textarea>; the
        # stdlib parser keeps it.
        pairs = [(k, v[1:] if k == "body" and v.startswith("\n") else v)
                 for k, v in FormReader(r.text, "/admin/boxes/%d" % box_id).pairs
                 if k != "csrf" and k not in changes]
        for k, v in changes.items():
            if v is not None:
                pairs.append((k, v))
        return b.post("/admin/boxes/%d" % box_id, pairs)

    def positions(self, place):
        """[(id, position, visible)] of a place (0 sidebar, 1 below, 2 footer) in order."""
        return self.db("SELECT id, position, visible FROM boxes WHERE place = ?"
                       " ORDER BY position, id", place)

    def snapshot(self):
        """What a box write changes: the boxes, the audit log, the change
        log (the whole-database dump cannot read the search index's
        tables, whose tokenizer only the server has)."""
        return (self.db("SELECT * FROM boxes ORDER BY id"),
                self.db("SELECT * FROM audit_log ORDER BY id"),
                self.db("SELECT * FROM changes ORDER BY id"))

    def assertDense(self, place):
        got = [p for _, p, _ in self.positions(place)]
        self.assertEqual(got, list(range(1, len(got) + 1)), "positions of place %d" % place)


# --------------------------------------------------------------------------
class PlacementTest(BoxCase):
    """Where boxes show, in which order; hidden ones nowhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.setup_error is not None:
            return
        try:
            tc = cls("test_home")
            cls.s1 = tc.create(title="Seitenleiste Eins", body="Erster Hinweis.")
            cls.s2 = tc.create(kind="book", title="Seitenleiste Buch", author="Ilse Aichinger",
                               body="Ein Roman.", link_url="https://verlag.example/buch",
                               image_url="/uploads/2026/11/umschlag.png",
                               image_alt="Umschlag mit einem Zug")
            cls.hidden = tc.create(title="Verborgene Box", visible=None)
            cls.f1 = tc.create(kind="support", place="footer", title="Fuss Unterstuetzung",
                               link_url="https://www.patreon.com/testbote")
            cls.f2 = tc.create(kind="links", place="footer", title="Fuss Links",
                               link_url="/tag/verkehr/", link_text="Alles zum Verkehr")
            cls.b1 = tc.create(place="below", title="Unten Eins", body="Nach den Kommentaren.")
            cls.b2 = tc.create(place="below", title="Unten Zwei")
            # without mail.from nobody can sign up here: the newsletter box
            # needs a link of its own then
            tc.create(kind="newsletter", title="Newsletter ohne Anmeldung")
            tc.create(kind="newsletter", title="Externer Newsletter",
                      link_url="https://newsletter.example/anmelden")
        except Exception as e:  # noqa: BLE001 - reported by each test
            cls.setup_error = e

    def check_common(self, text, where):
        side = sidebar(text)
        self.assertTrue(side, "%s: no sidebar" % where)
        a, b = order_in(side, ["Seitenleiste Eins", "Seitenleiste Buch"])
        self.assertTrue(0 <= a < b, "%s: sidebar order %r" % (where, (a, b)))
        foot = footer(text)
        a, b = order_in(foot, ["Fuss Unterstuetzung", "Fuss Links"])
        self.assertTrue(0 <= a < b, "%s: footer order %r" % (where, (a, b)))
        # the footer's boxes come before its feed links
        self.assertLess(b, foot.find('aria-label="Feeds"'), where)
        self.assertNotIn("Verborgene Box", text, where)
        # each box once
        for t in ("Seitenleiste Eins", "Seitenleiste Buch", "Fuss Unterstuetzung", "Fuss Links"):
            self.assertEqual(text.count(t), 1, "%s: %s" % (where, t))
        # the sidebar is outside <main>, after it
        self.assertGreater(text.find('<aside class="boxes boxes-sidebar"'), text.find("</main>"))

    def test_home(self):
        text = self.get("/", status=200).text
        self.check_common(text, "/")
        self.assertNotIn("Unten Eins", text)
        self.assertEqual(below(text), "")

    def test_archives(self):
        for path in ("/tag/verkehr/", "/author/anna/"):
            with self.subTest(path=path):
                text = self.get(path, status=200).text
                self.check_common(text, path)
                self.assertNotIn("Unten Eins", text)

    def test_article(self):
        text = self.get(self.bahn, status=200).text
        self.check_common(text, self.bahn)
        part = below(text)
        a, b = order_in(part, ["Unten Eins", "Unten Zwei"])
        self.assertTrue(0 <= a < b, "below: %r" % ((a, b),))
        m = main_of(text)
        # below the article: inside <main>, after the comments
        self.assertIn('<div class="boxes boxes-below"', m)
        comments = m.find('class="comments"')
        self.assertGreaterEqual(comments, 0, "no comments section on the article page")
        self.assertGreater(m.find('<div class="boxes boxes-below"'), comments)

    def test_not_found_page(self):
        r = self.get("/gibt-es-nicht/", status=404)
        self.check_common(r.text, "404")
        self.assertNotIn("Unten Eins", r.text)

    def test_kinds_render(self):
        text = self.get(self.bahn, status=200).text
        side = sidebar(text)
        p = Page(side)
        imgs = [a for t, a in p.elements if t == "img"]
        self.assertEqual(len(imgs), 1, side)
        self.assertEqual(imgs[0].get("src"), "/uploads/2026/11/umschlag.png")
        self.assertEqual(imgs[0].get("alt"), "Umschlag mit einem Zug")
        self.assertEqual(imgs[0].get("loading"), "lazy")
        self.assertIn("Ilse Aichinger", side)
        self.assertIn('href="https://verlag.example/buch"', side)
        foot = Page(footer(text))
        hrefs = foot.hrefs()
        self.assertIn("https://www.patreon.com/testbote", hrefs)
        self.assertIn("/tag/verkehr/", hrefs)
        self.assertIn("Alles zum Verkehr", foot.text)
        # the support box's link has the theme's words when the editor gave none
        self.assertIn("Jetzt unterstützen", foot.text)

    def test_newsletter_box(self):
        text = self.get("/", status=200).text
        self.assertNotIn("Newsletter ohne Anmeldung", text)
        side = sidebar(text)
        self.assertIn("Externer Newsletter", side)
        self.assertIn('href="https://newsletter.example/anmelden"', side)
        self.assertNotIn('href="/subscribe/"', side)

    def test_no_boxes_no_markup(self):
        """A place without visible boxes leaves no empty container."""
        text = self.get("/", status=200).text
        self.assertEqual(text.count('<aside class="boxes boxes-sidebar"'), 1)
        self.assertNotIn('class="boxes boxes-below"', text)


class EmptySiteTest(ta.AdminCase):
    """A new site: only the default jobs box, which shows nothing without jobs."""

    def test_default_box_and_nothing_shown(self):
        rows = self.db("SELECT kind, place, position, visible, title, link_url FROM boxes")
        self.assertEqual(rows, [("jobs", 1, 1, 1, "", "/jobs/")])
        text = self.get(self.bahn, status=200).text
        self.assertNotIn('class="boxes', text)
        self.assertNotIn('class="box box-', text)


# --------------------------------------------------------------------------
class LiveTest(BoxCase):
    """Changes in the admin reach a running server's cached pages at once."""

    def wait_for(self, path, pred, what):
        return poll(lambda: pred(self.server.get(path).text), what=what)

    def test_changes_show_on_cached_pages(self):
        paths = ["/", self.bahn, "/tag/verkehr/"]
        for p in paths:  # render and cache them
            self.get(p, status=200)
            self.get(p, status=200)
        a = self.create(title="Live Alpha")
        for p in paths:
            self.wait_for(p, lambda t: "Live Alpha" in sidebar(t), "Live Alpha on %s" % p)
        b = self.create(title="Live Beta")
        self.wait_for("/", lambda t: 0 <= sidebar(t).find("Live Alpha")
                      < sidebar(t).find("Live Beta"), "Alpha before Beta")
        self.action("up", b)
        for p in paths:
            self.wait_for(p, lambda t: 0 <= sidebar(t).find("Live Beta")
                          < sidebar(t).find("Live Alpha"), "Beta before Alpha on %s" % p)
        self.action("hide", b)
        for p in paths:
            self.wait_for(p, lambda t: "Live Beta" not in t and "Live Alpha" in t,
                          "Beta hidden on %s" % p)
        r = self.edit(a, title="Live Alpha Neu", place="footer")
        self.assertEqual(r.status, 303, r)
        for p in paths:
            self.wait_for(p, lambda t: "Live Alpha Neu" in footer(t)
                          and "Live Alpha" not in sidebar(t), "Alpha in the footer on %s" % p)
        self.action("delete", a)
        for p in paths:
            self.wait_for(p, lambda t: "Live Alpha" not in t, "Alpha gone from %s" % p)

    def test_etag_changes(self):
        r1 = self.get("/", status=200)
        etag = r1.h("etag")
        self.assertTrue(etag, r1)
        self.create(title="Etag Box")
        r2 = poll(lambda: (lambda r: r if "Etag Box" in r.text else None)(self.server.get("/")),
                  what="the new box")
        self.assertNotEqual(r2.h("etag"), etag)
        # a client holding the old copy is not told it is current
        r3 = self.server.get("/", {"If-None-Match": etag})
        self.assertEqual(r3.status, 200, r3)


# --------------------------------------------------------------------------
class HostileTest(BoxCase):
    """Every field escaped; foreign and script links refused."""

    BAD_URLS = [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
        "//evil.example/", "/\\evil.example/", "vbscript:msgbox(1)", "https://",
        "ftp://files.example/", "https://evil.example/ x", "mailto:x@example.org",
    ]

    def test_hostile_text_escaped(self):
        href = 'https://x.example/?a="><script>alert(2)</script>'
        bid = self.create(kind="book", title="T" + XSS, body="B" + XSS + "\n\nZweiter " + XSS,
                          link_url=href, link_text="L" + XSS, author="A" + XSS,
                          image_url='/uploads/x.png?"><script>alert(3)</script>',
                          image_alt="I" + XSS)
        gid = self.create(kind="links", place="footer", title="G" + XSS, body=XSS,
                          link_url="/x/", link_text=XSS)
        pages = {
            "article": self.get(self.bahn, status=200).text,
            "home": self.get("/", status=200).text,
            "admin list": self.editor().get("/admin/boxes").text,
            "admin form": self.editor().get("/admin/boxes/%d" % bid).text,
            "admin form 2": self.editor().get("/admin/boxes/%d" % gid).text,
            "admin delete": self.editor().get("/admin/boxes/%d?delete=1" % bid).text,
        }
        for name, text in pages.items():
            with self.subTest(page=name):
                self.assertNotIn("<script>alert", text)
                self.assertNotIn("<img src=x", text)
                self.assertIn(ta.XSS_ESCAPED, text)
                p = Page(text)
                self.assertEqual(p.event_handler_attrs(), [])
                self.assertEqual([a for a, t in p.scripts
                                  if (a.get("type") or "") != "application/ld+json"], [])
        # the values come back whole, as text
        p = Page(pages["article"])
        self.assertIn("T" + XSS, p.text)
        self.assertIn("A" + XSS, p.text)
        self.assertIn(href, p.hrefs())
        img = [a for t, a in p.elements if t == "img" and "box-cover" in a.get("class", "")]
        self.assertEqual(img[0]["alt"], "I" + XSS)
        self.assertEqual(img[0]["src"], '/uploads/x.png?"><script>alert(3)</script>')

    def test_foreign_links_refused(self):
        before = self.db("SELECT count(*) FROM boxes")[0][0]
        for field in ("link_url", "image_url"):
            for url in self.BAD_URLS:
                with self.subTest(field=field, url=url):
                    form = {"kind": "text", "place": "sidebar", "visible": "1",
                            "title": "Abgelehnt", field: url}
                    if field == "image_url":
                        form["image_alt"] = "Bild"
                    r = self.editor().post("/admin/boxes/new", form)
                    self.assertEqual(r.status, 422, r)
                    self.assertIn('aria-invalid="true"', r.text)
                    self.assertIn('id="box-%s-error"' % field.replace("_", "-"), r.text)
                    # what was typed comes back (escaped), the rest of the form too
                    p = Page(r.text)
                    vals = {a.get("name"): a.get("value") for t, a in p.elements
                            if t == "input" and a.get("name")}
                    self.assertEqual(vals.get("title"), "Abgelehnt")
                    # control characters come back as spaces
                    self.assertEqual(vals.get(field), url.strip().replace("\t", " "))
                    self.assertNotIn("<script>alert", r.text)
        self.assertEqual(self.db("SELECT count(*) FROM boxes")[0][0], before)
        self.assertEqual(self.db("SELECT count(*) FROM boxes WHERE title = 'Abgelehnt'"), [(0,)])

    def test_edit_refuses_javascript(self):
        bid = self.create(title="Harmlos", link_url="/jobs/")
        r = self.edit(bid, link_url="javascript:alert(1)")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.one("SELECT link_url FROM boxes WHERE id = ?", bid), ("/jobs/",))

    def test_other_checks(self):
        cases = [
            ({"title": "x" * 121}, "title"),
            ({"body": "y" * 1001}, "body"),
            ({"link_text": "z" * 81}, "link-text"),
            ({"author": "a" * 121}, "author"),
            ({"image_url": "/uploads/a.png", "image_alt": ""}, "image-alt"),
            ({"image_url": "/uploads/a.png", "image_alt": "x" * 251}, "image-alt"),
            ({"link_url": "https://example.org/" + "p" * 2000}, "link-url"),
            ({"kind": "Book"}, "kind"),
            ({"kind": "podcast"}, "kind"),         # not offered: no box has it
            ({"place": "header"}, "place"),
            ({"title": "Steuer\x07zeichen"}, "title"),
            ({"author": "C1\u0085Steuer"}, "author"),
            ({"link_text": "Ende\x7f"}, "link-text"),
            ({"body": "Zeile\r\nmit\x1b[31m Farbe"}, "body"),
        ]
        before = self.db("SELECT count(*) FROM boxes")[0][0]
        for fields, err in cases:
            with self.subTest(fields={k: v[:30] for k, v in fields.items()}):
                form = {"kind": "text", "place": "sidebar", "visible": "1", "title": "Prüfung"}
                form.update(fields)
                r = self.editor().post("/admin/boxes/new", form)
                self.assertEqual(r.status, 422, r)
                self.assertIn('id="box-%s-error"' % err, r.text)
                self.assertIn('class="error" role="alert"', r.text)
                self.assertIsNone(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", r.text),
                                  "a control character came back")
        self.assertEqual(self.db("SELECT count(*) FROM boxes")[0][0], before)
        # at the limits, and with CRLF line breaks counted as one
        body = ("w" * 99 + "\r\n") * 10
        bid = self.create(title="ü" * 120, body=body[:-2], link_text="z" * 80,
                          author="a" * 120, image_url="/uploads/a.png", image_alt="x" * 250)
        got = self.one("SELECT title, body FROM boxes WHERE id = ?", bid)
        self.assertEqual(got[0], "ü" * 120)
        self.assertNotIn("\r", got[1])
        self.assertEqual(len(got[1]), 999)


# --------------------------------------------------------------------------
class JobsBoxTest(BoxCase):
    """The default jobs box below articles: the newest jobs once there are some."""

    def add_job(self, title, posted):
        r = self.site.cli("job", "add", "--title", title, "--employer", "Stadtwerke",
                          "--location", "Berlin", "--apply-url", "https://jobs.example/" +
                          urllib.parse.quote(title), "--valid-through",
                          "2099-12-31T00:00:00Z", "--posted", posted,
                          stdin="Eine **Stelle**.\n")
        if r.rc != 0:
            self.skipTest("depesche job add does not work yet: %r" % r)
        return r

    def test_jobs_box(self):
        text = self.get(self.bahn, status=200).text
        self.assertNotIn("box-jobs", text)
        titles = ["Redakteurin Politik", "Fotograf", "Volontariat", "Datenjournalistin",
                  "Korrektor"]
        for i, t in enumerate(titles):
            self.add_job(t, "2026-01-%02dT10:00:00Z" % (i + 1))
        text = poll(lambda: (lambda t: t if "box-jobs" in t else None)(
            self.server.get(self.bahn).text), what="the jobs box")
        part = below(text)
        self.assertIn('class="box box-jobs"', part)
        self.assertIn("Stellenangebote", part)
        # the four newest, not the oldest
        for t in titles[1:]:
            self.assertIn(t, part)
        self.assertNotIn("Redakteurin Politik", part)
        self.assertIn('href="/jobs/"', part)
        # only below articles
        self.assertNotIn("box-jobs", self.get("/", status=200).text)


# --------------------------------------------------------------------------
class AccessTest(BoxCase):
    """CSRF on every form; admins and editors only."""
    LOGINS = ("chefin", "redakteur", "moritz", "anna")

    def test_roles(self):
        bid = self.create(title="Rollen")
        for name in ("chefin", "redakteur"):
            with self.subTest(user=name):
                b = self.as_[name]
                self.assertEqual(b.get("/admin/boxes").status, 200)
                self.assertEqual(b.get("/admin/boxes/new").status, 200)
                self.assertEqual(b.get("/admin/boxes/%d" % bid).status, 200)
                dash = b.get("/admin/").text
                self.assertIn('href="/admin/boxes"', dash)
        for name in ("moritz", "anna"):
            with self.subTest(user=name):
                b = self.as_[name]
                for path in ("/admin/boxes", "/admin/boxes/new", "/admin/boxes/%d" % bid,
                             "/admin/boxes/%d?delete=1" % bid):
                    self.assertEqual(b.get(path).status, 403, path)
                self.assertNotIn('href="/admin/boxes"', b.get("/admin/").text)
        before = self.snapshot()
        for name in ("moritz", "anna"):
            with self.subTest(user=name):
                b = self.as_[name]
                r = b.post("/admin/boxes", {"action": "hide", "id": str(bid)})
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes", {"action": "delete", "id": str(bid)})
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes/new", {"kind": "text", "place": "sidebar",
                                                "title": "Eingeschleust"})
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes/%d" % bid, {"kind": "text", "place": "footer",
                                                     "title": "Gekapert"})
                self.assertEqual(r.status, 403, r)
        self.assertEqual(self.snapshot(), before, "moderator and author changed something")
        # nobody signed in: to the login page, nothing changed
        anon = ta.Browser(self.server)
        r = anon.get("/admin/boxes")
        self.assertIn(r.status, (302, 303, 401, 403), r)
        self.assertEqual(self.snapshot(), before, "an anonymous request changed something")

    def test_csrf(self):
        bid = self.create(title="CSRF")
        b = self.editor()
        tokens = (False, "", "0" * 64, b.csrf()[:-1] + "x", self.as_["chefin"].csrf())
        before = self.snapshot()
        for token in tokens:
            with self.subTest(token=token):
                r = b.post("/admin/boxes", {"action": "hide", "id": str(bid)}, csrf=token)
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes", {"action": "delete", "id": str(bid)}, csrf=token)
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes/new", {"kind": "text", "place": "sidebar",
                                                "title": "Ohne Token"}, csrf=token)
                self.assertEqual(r.status, 403, r)
                r = b.post("/admin/boxes/%d" % bid, {"kind": "text", "place": "footer",
                                                     "title": "Ohne Token"}, csrf=token)
                self.assertEqual(r.status, 403, r)
        self.assertEqual(self.snapshot(), before,
                         "requests without a valid CSRF token changed something")
        # every form on the pages carries the token
        for path in ("/admin/boxes", "/admin/boxes/new", "/admin/boxes/%d" % bid,
                     "/admin/boxes/%d?delete=1" % bid):
            text = b.get(path).text
            forms = re.findall(r'<form method="post"[^>]*>(.*?)</form>', text, re.S)
            self.assertTrue(forms, path)
            for f in forms:
                self.assertIn('name="csrf" value="%s"' % b.csrf(), f, path)


# --------------------------------------------------------------------------
class FlowTest(BoxCase):
    """Reorder, show, hide, another place, delete; the audit log."""
    LOGINS = ("redakteur", "chefin")

    def admin_order(self, place):
        """Titles of a place's boxes as the admin list shows them."""
        text = self.editor().get("/admin/boxes").text
        part = segment(text, r'<section class="box-place" aria-labelledby="place-%s"' % place,
                       "</section>")
        return re.findall(r'<h3><a href="/admin/boxes/\d+">([^<]*)</a>', part)

    def test_flow(self):
        a = self.create(title="Fluss A")
        b = self.create(title="Fluss B")
        c = self.create(title="Fluss C")
        self.assertEqual(self.admin_order("sidebar"), ["Fluss A", "Fluss B", "Fluss C"])
        self.assertDense(0)
        # the first has no "up", the last no "down"
        text = self.editor().get("/admin/boxes").text
        item_a = segment(text, r'<li id="box-%d">' % a, "</li>")
        item_c = segment(text, r'<li id="box-%d">' % c, "</li>")
        self.assertNotIn('value="up"', item_a)
        self.assertIn('value="down"', item_a)
        self.assertIn('value="up"', item_c)
        self.assertNotIn('value="down"', item_c)

        r = self.action("down", a)
        self.assertEqual(r.h("location"), "/admin/boxes?done=box_moved#box-%d" % a)
        self.assertEqual(self.admin_order("sidebar"), ["Fluss B", "Fluss A", "Fluss C"])
        self.action("up", c)
        self.assertEqual(self.admin_order("sidebar"), ["Fluss B", "Fluss C", "Fluss A"])
        r = self.action("up", b)  # first already: stays, says so, no audit entry
        self.assertEqual(r.h("location"), "/admin/boxes?done=box_unchanged#box-%d" % b)
        self.assertIn("an der Reihenfolge hat sich nichts geändert",
                      self.editor().get("/admin/boxes?done=box_unchanged").text)
        self.assertEqual(self.admin_order("sidebar"), ["Fluss B", "Fluss C", "Fluss A"])
        self.assertDense(0)
        page = self.editor().get("/admin/boxes?done=box_moved")
        self.assertIn("Die Reihenfolge wurde geändert.", page.text)
        side = poll(lambda: (lambda t: t if 0 <= t.find("Fluss B") < t.find("Fluss C")
                             < t.find("Fluss A") else None)(sidebar(self.server.get("/").text)),
                    what="public order B, C, A")
        self.assertTrue(side)

        self.action("hide", c)
        self.assertEqual(self.one("SELECT visible FROM boxes WHERE id = ?", c), (0,))
        text = self.editor().get("/admin/boxes").text
        item_c = segment(text, r'<li id="box-%d">' % c, "</li>")
        self.assertIn("verborgen", item_c)
        self.assertIn('value="show"', item_c)
        poll(lambda: "Fluss C" not in self.server.get("/").text, what="C hidden")
        self.action("show", c)
        self.assertEqual(self.one("SELECT visible FROM boxes WHERE id = ?", c), (1,))
        poll(lambda: "Fluss C" in sidebar(self.server.get("/").text), what="C shown")

        # another place: last there, the gap closed behind it
        f = self.create(place="footer", title="Fluss F")
        r = self.edit(b, place="footer")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.h("location"), "/admin/boxes?done=box_saved#box-%d" % b)
        self.assertEqual(self.admin_order("footer"), ["Fluss F", "Fluss B"])
        self.assertEqual(self.admin_order("sidebar"), ["Fluss C", "Fluss A"])
        self.assertDense(0)
        self.assertDense(2)

        # delete: a confirmation page first, then the POST
        r = self.editor().get("/admin/boxes/%d?delete=1" % c)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Fluss C", r.text)
        self.assertIn('value="delete"', r.text)
        self.assertEqual(self.one("SELECT count(*) FROM boxes WHERE id = ?", c), (1,))
        r = self.action("delete", c)
        self.assertEqual(r.h("location"), "/admin/boxes?done=box_deleted")
        self.assertEqual(self.db("SELECT id FROM boxes WHERE id = ?", c), [])
        self.assertEqual(self.admin_order("sidebar"), ["Fluss A"])
        self.assertDense(0)
        poll(lambda: "Fluss C" not in self.server.get("/").text, what="C deleted")
        self.assertEqual(self.editor().get("/admin/boxes/%d" % c).status, 404)
        self.action("hide", c, status=404)

        actions = [row[0] for row in self.db(
            "SELECT action FROM audit_log WHERE object IN (?, ?, ?, ?) ORDER BY id",
            "box %d" % a, "box %d" % b, "box %d" % c, "box %d" % f)]
        self.assertEqual(actions, ["box.create", "box.create", "box.create", "box.down",
                                   "box.up", "box.hide", "box.show", "box.create",
                                   "box.update", "box.delete"])
        actor = self.db("SELECT DISTINCT actor FROM audit_log WHERE action LIKE 'box.%'")
        self.assertEqual(actor, [("redakteur",)])
        # the audit page shows them to admins
        self.assertIn("box.delete", self.as_["chefin"].get("/admin/audit").text)

    def test_edit_keeps_fields(self):
        bid = self.create(kind="book", title="Buch", author="Autorin", body="Text\n\nMehr",
                          link_url="https://b.example/", link_text="Zum Buch",
                          image_url="/uploads/b.png", image_alt="Umschlag", place="below")
        r = self.edit(bid, title="Buch neu")
        self.assertEqual(r.status, 303, r)
        row = self.one("SELECT kind, place, visible, title, body, link_url, link_text,"
                       " image_url, image_alt, author FROM boxes WHERE id = ?", bid)
        self.assertEqual(row, ("book", 1, 1, "Buch neu", "Text\n\nMehr", "https://b.example/",
                               "Zum Buch", "/uploads/b.png", "Umschlag", "Autorin"))
        # unticking "visible" in the form hides it
        r = self.edit(bid, visible=None)
        self.assertEqual(self.one("SELECT visible FROM boxes WHERE id = ?", bid), (0,))

    def test_bad_requests(self):
        self.action("fly", 1, status=400)
        self.action("up", 0, status=400)
        r = self.editor().post("/admin/boxes", {"action": "up", "id": "abc"})
        self.assertEqual(r.status, 400, r)
        self.action("hide", 987654, status=404)
        self.assertEqual(self.editor().get("/admin/boxes/987654").status, 404)
        r = self.editor().post("/admin/boxes/987654", {"kind": "text", "place": "sidebar"})
        self.assertEqual(r.status, 404, r)

    def test_kinds_offered(self):
        text = self.editor().get("/admin/boxes/new").text
        opts = re.findall(r'<option value="([a-z]+)"', segment(text, r'<select id="box-kind"',
                                                               "</select>"))
        self.assertEqual(opts, ["newsletter", "book", "support", "jobs", "links", "text"])
        places = re.findall(r'<option value="([a-z]+)"',
                            segment(text, r'<select id="box-place"', "</select>"))
        self.assertEqual(places, ["sidebar", "below", "footer"])


class CustomKindTest(BoxCase):
    """A kind the theme does not know (written by hand, say by a theme's
    installer) renders as the generic box and is offered in the form."""

    @classmethod
    def populate(cls):
        super().populate()
        con = sqlite3.connect(cls.site.db)
        with con:
            con.execute("INSERT INTO boxes (kind, place, position, title, body, link_url,"
                        " link_text, created_at, updated_at) VALUES ('podcast', 0, 1,"
                        " 'Unser Podcast', 'Jeden Freitag neu.', 'https://pod.example/',"
                        " 'Anhören', 1, 1)")
            # a row nobody could write through the store: never shown
            con.execute("INSERT INTO boxes (kind, place, position, title, link_url,"
                        " created_at, updated_at) VALUES ('text', 0, 2, 'Schmuggel',"
                        " 'javascript:alert(1)', 1, 1)")
            con.execute("INSERT INTO boxes (kind, place, position, title,"
                        " created_at, updated_at) VALUES ('Bad Kind', 0, 3, 'Falsche Art', 1, 1)")
        con.close()

    def test_generic_rendering(self):
        text = self.get("/", status=200).text
        side = sidebar(text)
        self.assertIn('class="box box-podcast"', side)
        self.assertIn("Unser Podcast", side)
        self.assertIn("Jeden Freitag neu.", side)
        self.assertIn('href="https://pod.example/"', side)
        self.assertIn("Schmuggel", side)
        self.assertNotIn("javascript:", text)
        self.assertNotIn("Falsche Art", text)

    def test_offered_in_form(self):
        text = self.editor().get("/admin/boxes/new").text
        self.assertIn('<option value="podcast">', text)
        bid = self.create(kind="podcast", place="footer", title="Zweiter Podcast")
        self.assertEqual(self.one("SELECT kind FROM boxes WHERE id = ?", bid), ("podcast",))


class EnglishTest(BoxCase):
    LANG = "en"

    def test_english_defaults(self):
        self.create(kind="support", title="", link_url="https://www.patreon.com/x")
        text = poll(lambda: (lambda t: t if "box-support" in t else None)(
            self.server.get("/").text), what="the support box")
        self.assertIn("Support independent journalism", sidebar(text))
        self.assertIn("Support us now", sidebar(text))
        self.assertIn("Boxes", self.editor().get("/admin/boxes").text)


# --------------------------------------------------------------------------
@unittest.skipUnless(shutil.which("java") and os.path.exists(ta.VNU),
                     "java or tests/browser/node_modules/vnu-jar missing")
class ValidityTest(BoxCase):
    """Pages with every kind of box, and every admin page of boxes, through
    the Nu Html Checker: 0 errors."""

    @classmethod
    def populate(cls):
        super().populate()
        r = cls.site.cli("config", "set", "mail.from", FROM)
        if r.rc != 0:
            raise AssertionError("config set mail.from: %r" % r)
        r = cls.site.cli("job", "add", "--title", "Redakteur (m/w/d)", "--employer", "Bote",
                         "--location", "Hamburg", "--apply-url", "https://jobs.example/1",
                         "--valid-through", "2099-01-01T00:00:00Z", stdin="Text.\n")
        cls.jobs_ok = r.rc == 0

    def test_nu_html_checker(self):
        bid = self.create(kind="book", title="Ein langes Buch über Donaudampfschifffahrtsgesellschaftskapitäne",
                          author="Ilse Aichinger", body="Zeile eins\nZeile zwei\n\nAbsatz",
                          link_url="https://verlag.example/", image_url="/uploads/x.png",
                          image_alt="Umschlag")
        self.create(kind="newsletter")
        self.create(kind="support", place="footer", link_url="https://www.patreon.com/x")
        self.create(kind="links", place="footer", title="Links", link_url="/tag/verkehr/")
        self.create(kind="text", place="below", body="Nur Text, ohne Überschrift.")
        self.create(kind="text", place="below", title="Text mit Link", link_url="/",
                    body="Text.")
        poll(lambda: "box-newsletter" in self.server.get("/").text, what="boxes on /")
        b = self.editor()
        pages = {
            "home": self.server.get("/"),
            "article": self.server.get(self.bahn),
            "archive": self.server.get("/tag/verkehr/"),
            "not_found": self.server.get("/gibt-es-nicht/"),
            "admin_boxes": b.get("/admin/boxes?done=box_saved"),
            "admin_new": b.get("/admin/boxes/new"),
            "admin_edit": b.get("/admin/boxes/%d" % bid),
            "admin_delete": b.get("/admin/boxes/%d?delete=1" % bid),
            "admin_errors": b.post("/admin/boxes/new", {"kind": "x", "place": "y",
                                                        "title": "t" * 200,
                                                        "link_url": "javascript:x",
                                                        "image_url": "/a.png"}),
        }
        text = pages["article"].text
        for kind in ("book", "newsletter", "support", "links", "text"):
            self.assertIn("box-" + kind, text)
        self.assertIn('<a class="box-button" href="/subscribe/">', text)
        # the sign-up page is the form itself: no box pointing at it
        pages["subscribe"] = self.server.get("/subscribe/")
        self.assertNotIn("box-newsletter", pages["subscribe"].text)
        self.assertIn("box-support", pages["subscribe"].text)
        tmp = tempfile.mkdtemp(prefix="depesche-vnu-")
        try:
            files = []
            for name, r in pages.items():
                self.assertIn(r.status, (200, 404, 422), "%s: %r" % (name, r))
                path = os.path.join(tmp, name + ".html")
                with open(path, "wb") as f:
                    f.write(r.body)
                files.append(path)
            p = subprocess.run(["java", "-jar", ta.VNU, "--errors-only", "--format", "gnu"]
                               + files, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120)
            out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
            self.assertEqual(p.returncode, 0, "Nu Html Checker errors:\n" + out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # last, so the checker has spoken on the rest first
        if self.jobs_ok:
            self.assertIn("box-jobs", text, "the jobs box on an article page with a job")


if __name__ == "__main__":
    unittest.main()
