"""Job listings end to end: `depesche job` (add, list, show, edit, expire,
delete, with every refusal and its exit status), the public pages /jobs/
(list, filters through the dynamic path, pagination) and /jobs/<slug>/
(schema.org JobPosting JSON-LD checked against what schema.org and Google
require), the job feed (feedparser and an XML parser), the jobs box below
articles, jobs that expire or appear while the server runs (no restart),
hostile text in every field, and the admin pages (create, edit, expire,
delete, CSRF, roles), with the Nu Html Checker over every page type when
java and vnu.jar are there."""

import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import xml.dom.minidom
from zoneinfo import ZoneInfo

from harness import Page, SiteTestCase, iso_utc, poll, wait_for_status
from test_admin import VNU, AdminCase, Browser

try:
    import feedparser
except ImportError:  # run with /usr/bin/python3 (Debian's python3-feedparser)
    feedparser = None

BERLIN = ZoneInfo("Europe/Berlin")
FAR = "2031-01-31"                       # a last day to apply far ahead
FAR_END = "2031-02-01T00:00:00+01:00"    # ... which ends at the next midnight in Berlin
HOSTILE = '</script><script>alert("x")</script><!-- <b onmouseover=alert(1)>&amp;\'"'
EXPIRY_DEADLINE = 40.0                   # seconds a poll waits for a job to leave


def job_args(title, employer="Der Testbote", location="Berlin", remote=False, type_=None,
             url="https://jobs.example.org/bewerben", valid=FAR, posted=None, slug=None):
    args = ["job", "add", "--title", title, "--employer", employer, "--location", location,
            "--apply-url", url, "--valid-through", valid]
    if remote:
        args.append("--remote")
    if type_:
        args += ["--type", type_]
    if posted:
        args += ["--posted", posted]
    if slug:
        args += ["--slug", slug]
    return args


def add_job(site, title, description="Wir suchen Verstärkung.\n", **kw):
    """job add; returns the job's path (/jobs/slug/), checked to be the last line."""
    r = site.must(*job_args(title, **kw), stdin=description)
    path = r.last_line
    if not re.fullmatch(r"/jobs/[a-z0-9-]+/", path):
        raise AssertionError("job add: last line is not a /jobs/<slug>/ path: %r" % r)
    return path


def jsonld_of(text):
    """The JobPosting objects of a page, parsed."""
    out = []
    for raw in Page(text).jsonld():
        doc = json.loads(raw)
        if isinstance(doc, dict) and doc.get("@type") == "JobPosting":
            out.append(doc)
    return out


def job_links(text):
    """The /jobs/<slug>/ links of a page, in order, without repeats."""
    seen = []
    for href in Page(text).hrefs():
        if re.fullmatch(r"/jobs/[a-z0-9-]+/", href) and href not in seen and \
                not href.startswith("/jobs/feed/") and not href.startswith("/jobs/page/"):
            seen.append(href)
    return seen


def listing(text):
    """The jobs of the list on /jobs/ (the <ul class="jobs-list">), in order."""
    m = re.search(r'<ul class="jobs-list".*?</ul>', text, re.S)
    return job_links(m.group(0)) if m else []


def box_jobs(text):
    """The jobs of the jobs box on an article page, in order."""
    m = re.search(r'<ul class="jobs-box">.*?</ul>', text, re.S)
    return job_links(m.group(0)) if m else []


def snapshot(site):
    """What job commands and forms may change: the jobs, the audit log and
    the change log. (The harness's full dump cannot read a database whose
    search index needs the engine's own tokenizer.)"""
    con = sqlite3.connect("file:%s?mode=ro" % site.db, uri=True, timeout=5)
    try:
        return [con.execute("SELECT * FROM %s ORDER BY id" % t).fetchall()
                for t in ("jobs", "audit_log", "changes")]
    finally:
        con.close()


def vnu_check(testcase, pages):
    """pages: {name: bytes}. Fails with the checker's messages."""
    tmp = tempfile.mkdtemp(prefix="depesche-vnu-jobs-")
    try:
        files = []
        for name, body in pages.items():
            p = os.path.join(tmp, name + ".html")
            with open(p, "wb") as f:
                f.write(body)
            files.append(p)
        p = subprocess.run(["java", "-jar", VNU, "--errors-only", "--format", "gnu"] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
        out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
        testcase.assertEqual(p.returncode, 0, "Nu Html Checker errors:\n" + out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


HAVE_VNU = bool(shutil.which("java")) and os.path.exists(VNU)


# --------------------------------------------------------------------------
class JobCLITest(SiteTestCase):
    """`depesche job` without a server."""

    def job(self, key):
        r = self.site.must("job", "show", key, "--json")
        return json.loads(r.out)

    def audit(self):
        con = sqlite3.connect(self.site.db)
        try:
            return con.execute("SELECT actor, action, object FROM audit_log ORDER BY id").fetchall()
        finally:
            con.close()

    def test_add_list_show_edit_expire_delete(self):
        path = add_job(self.site, "Redakteurin (m/w/d) Lokales",
                       description="## Aufgaben\n\n*Schreiben*.\n", location="Görlitz",
                       type_="part-time")
        self.assertEqual(path, "/jobs/redakteurin-m-w-d-lokales-der-testbote/")
        slug = path.split("/")[2]
        j = self.job(slug)
        self.assertEqual(j["title"], "Redakteurin (m/w/d) Lokales")
        self.assertEqual(j["employer"], "Der Testbote")
        self.assertEqual(j["location"], "Görlitz")
        self.assertIs(j["remote"], False)
        self.assertEqual(j["type"], "part-time")
        self.assertEqual(j["state"], "current")
        self.assertEqual(j["path"], path)
        self.assertEqual(j["description"], "## Aufgaben\n\n*Schreiben*.\n")
        # A date means the end of that day in the site's zone (Europe/Berlin).
        self.assertEqual(j["valid_through"], FAR_END)
        # The same job by its id; the text form names the fields.
        self.assertEqual(self.job(str(j["id"]))["slug"], slug)
        r = self.site.must("job", "show", slug)
        self.assertIn("Görlitz", r.out)
        self.assertIn("*Schreiben*", r.out)

        # The same title and employer again: a numbered slug.
        path2 = add_job(self.site, "Redakteurin (m/w/d) Lokales", location="Görlitz")
        self.assertEqual(path2, "/jobs/redakteurin-m-w-d-lokales-der-testbote-2/")

        listed = json.loads(self.site.must("job", "list", "--json").out)
        self.assertEqual([x["path"] for x in listed], [path2, path])
        text = self.site.must("job", "list").out
        self.assertIn(path, text)
        self.assertIn(path2, text)

        # edit: what is given changes, the slug and the rest stay.
        r = self.site.must("job", "edit", slug, "--title", "Chefredakteurin", "--remote",
                           "--type", "full-time")
        self.assertEqual(r.last_line, path)
        j2 = self.job(slug)
        self.assertEqual(j2["title"], "Chefredakteurin")
        self.assertIs(j2["remote"], True)
        self.assertEqual(j2["type"], "full-time")
        self.assertEqual(j2["location"], "Görlitz")
        self.assertEqual(j2["valid_through"], FAR_END)
        self.assertEqual(j2["description"], j["description"])
        # Without --description-stdin, stdin is not read; with it, it replaces.
        self.site.must("job", "edit", slug, "--no-remote", stdin="ignoriert")
        self.assertEqual(self.job(slug)["description"], j["description"])
        self.assertIs(self.job(slug)["remote"], False)
        self.site.must("job", "edit", slug, "--description-stdin", stdin="Neu **hier**.")
        self.assertEqual(self.job(slug)["description"], "Neu **hier**.")
        # A slug of its own; a taken one is refused.
        r = self.site.must("job", "edit", slug, "--slug", "chefredaktion")
        self.assertEqual(r.last_line, "/jobs/chefredaktion/")
        before = snapshot(self.site)
        r = self.site.cli("job", "edit", "chefredaktion", "--slug", path2.split("/")[2])
        self.assertCLIError(r)
        self.assertIn("another job", r.err)
        self.assertEqual(before, snapshot(self.site), "a taken slug")

        # expire: gone from the list of current jobs, kept with --all.
        r = self.site.must("job", "expire", "chefredaktion")
        self.assertEqual(r.last_line, "expired /jobs/chefredaktion/")
        self.assertEqual(self.job("chefredaktion")["state"], "expired")
        current = [x["slug"] for x in json.loads(self.site.must("job", "list", "--json").out)]
        self.assertNotIn("chefredaktion", current)
        every = {x["slug"]: x["state"] for x in
                 json.loads(self.site.must("job", "list", "--all", "--json").out)}
        self.assertEqual(every.get("chefredaktion"), "expired")

        # delete: gone everywhere.
        r = self.site.must("job", "delete", str(j["id"]))
        self.assertEqual(r.last_line, "deleted /jobs/chefredaktion/")
        r = self.site.cli("job", "show", "chefredaktion")
        self.assertCLIError(r)
        self.assertIn("no job", r.err)

        actions = [(a, act, obj) for a, act, obj in self.audit() if act.startswith("job.")]
        self.assertIn(("cli", "job.add", path), actions)
        self.assertIn(("cli", "job.edit", "/jobs/chefredaktion/"), actions)
        self.assertIn(("cli", "job.expire", "/jobs/chefredaktion/"), actions)
        self.assertIn(("cli", "job.delete", "/jobs/chefredaktion/"), actions)

    def test_remote_posted_and_times(self):
        path = add_job(self.site, "Entwickler", employer="Depesche", location="", remote=True,
                       type_="contract", url="mailto:jobs@example.org", slug="entwickler",
                       posted="2026-01-05T08:00:00Z", valid="2031-06-30T18:00:00+02:00")
        self.assertEqual(path, "/jobs/entwickler/")
        j = self.job("entwickler")
        self.assertEqual(j["location"], "")
        self.assertIs(j["remote"], True)
        self.assertEqual(j["type"], "contract")
        self.assertEqual(j["apply_url"], "mailto:jobs@example.org")
        self.assertEqual(j["posted"], "2026-01-05T09:00:00+01:00")
        self.assertEqual(j["valid_through"], "2031-06-30T18:00:00+02:00")
        # Posted ahead: not current, listed with --all, said on stderr.
        r = self.site.must(*job_args("Später", posted=iso_utc(time.time() + 3 * 86400)),
                           stdin="")
        self.assertIn("posted ahead", r.err)
        slug = r.last_line.split("/")[2]
        self.assertEqual(self.job(slug)["state"], "ahead")
        current = [x["slug"] for x in json.loads(self.site.must("job", "list", "--json").out)]
        self.assertNotIn(slug, current)

    def test_refusals(self):
        add_job(self.site, "Vorhanden", slug="vorhanden")
        long_title = "Ä" * 201
        cases = [
            ("no title", ["job", "add", "--employer", "E", "--location", "Kiel", "--apply-url",
                          "https://x.example/", "--valid-through", FAR], 1, "title"),
            ("no employer", ["job", "add", "--title", "T", "--location", "Kiel", "--apply-url",
                             "https://x.example/", "--valid-through", FAR], 1, "employer"),
            ("no apply url", ["job", "add", "--title", "T", "--employer", "E", "--location",
                              "Kiel", "--valid-through", FAR], 1, "apply"),
            ("no valid-through", ["job", "add", "--title", "T", "--employer", "E", "--location",
                                  "Kiel", "--apply-url", "https://x.example/"], 1, "valid"),
            ("blank title", job_args("   "), 1, "title"),
            ("long title", job_args(long_title), 1, "200"),
            ("title with a line break", job_args("Zeile\nzwei"), 1, "one line"),
            ("no location, not remote", job_args("T", location=""), 1, "remote"),
            ("javascript url", job_args("T", url="javascript:alert(1)"), 1, "https://"),
            ("ftp url", job_args("T", url="ftp://example.org/"), 1, "https://"),
            ("mailto without address", job_args("T", url="mailto:niemand"), 1, "mailto"),
            ("url with a space", job_args("T", url="https://exa mple.org/"), 1, "https://"),
            ("bad date", job_args("T", valid="31.12.2030"), 1, "valid-through"),
            ("impossible date", job_args("T", valid="2030-02-30"), 1, "valid-through"),
            ("in the past", job_args("T", valid="2020-01-01"), 1, "past"),
            ("before posted", job_args("T", valid="2030-01-01", posted="2030-02-01"), 1, "after"),
            ("bad posted", job_args("T", posted="gestern"), 1, "posting date"),
            ("bad type", job_args("T", type_="vollzeit"), 1, "full-time"),
            ("bad slug", job_args("T", slug="Mit Leerzeichen"), 1, "slug"),
            ("reserved slug", job_args("T", slug="feed"), 1, "slug"),
            ("taken slug", job_args("T", slug="vorhanden"), 1, "another job"),
            ("unknown option", ["job", "add", "--gehalt", "viel"], 2, "unknown option"),
            ("stray argument", job_args("T") + ["extra"], 2, "unexpected"),
            ("edit without id", ["job", "edit", "--title", "X"], 2, "usage"),
            ("edit of nothing", ["job", "edit", "gibt-es-nicht", "--title", "X"], 1, "no job"),
            ("expire without id", ["job", "expire"], 2, "usage"),
            ("expire of nothing", ["job", "expire", "4711"], 1, "no job"),
            ("delete of nothing", ["job", "delete", "gibt-es-nicht"], 1, "no job"),
            ("show of nothing", ["job", "show", "gibt-es-nicht"], 1, "no job"),
            ("list with an argument", ["job", "list", "x"], 2, "unexpected"),
            ("list with add's option", ["job", "list", "--title", "x"], 2, "unknown option"),
            ("unknown command", ["job", "pause", "x"], 2, "unknown job command"),
            ("edit to nowhere", ["job", "edit", "vorhanden", "--location", ""], 1, "remote"),
        ]
        before = snapshot(self.site)
        for what, args, code, needle in cases:
            with self.subTest(what):
                r = self.site.cli(*args, stdin="Beschreibung")
                self.assertCLIError(r, (code,))
                self.assertIn(needle.lower(), r.err.lower(), r)
                self.assertEqual(r.out.strip(), "", "nothing on stdout when refused: %r" % r)
        self.assertEqual(before, snapshot(self.site), "refused job commands")
        # An oversized description is refused too.
        r = self.site.cli(*job_args("Groß"), stdin="x" * (64 * 1024 + 1))
        self.assertCLIError(r)
        self.assertIn("larger", r.err)
        self.assertEqual(before, snapshot(self.site), "an oversized description")

    def test_help(self):
        r = self.site.cli("job", "--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("--valid-through", r.out)
        r = self.site.cli("job")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("usage", r.err)


# --------------------------------------------------------------------------
class JobPagesTest(SiteTestCase):
    """The public pages of a running server."""
    SERVE = True

    @classmethod
    def populate(cls):
        cls.site.configure(per_page=2, timezone="Europe/Berlin")
        s = cls.site
        cls.article = s.add("Neue Bahnstrecke eröffnet", slug="bahnstrecke")
        # Oldest first, so the list (newest first) reads from the bottom.
        t0 = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10)

        def at(days):
            return iso_utc((t0 + datetime.timedelta(days=days)).timestamp())
        cls.paths = {}
        cls.paths["berlin1"] = add_job(s, "Volontariat", location="Berlin", type_="internship",
                                       posted=at(1))
        cls.paths["kiel"] = add_job(s, "Reporter Kiel", location="Kiel", posted=at(2))
        cls.paths["muenchen"] = add_job(s, "Fotografin", employer="Bild & Ton GmbH",
                                        location="München", remote=True, type_="part-time",
                                        posted=at(3), url="mailto:foto@example.org")
        cls.paths["remote"] = add_job(s, "Entwickler (m/w/d)", employer="Depesche e. V.",
                                      location="", remote=True, type_="contract", posted=at(4),
                                      description="## Aufgaben\n\n* C schreiben\n* Tests\n"
                                                  "\n<script>alert(1)</script>\n")
        cls.paths["berlin2"] = add_job(s, "Redakteurin Politik", location="berlin",
                                       posted=at(5))
        cls.paths["hostile"] = add_job(s, HOSTILE, employer=HOSTILE, location=HOSTILE,
                                       url="https://example.org/?a=1&b=%22x%22", posted=at(6),
                                       description=HOSTILE + "\n\n" + HOSTILE)
        cls.paths["expired"] = add_job(s, "Abgelaufen", location="Hamburg", posted=at(0))
        s.must("job", "expire", cls.paths["expired"].split("/")[2])
        cls.paths["ahead"] = add_job(s, "Kommt später", location="Hamburg",
                                     posted=iso_utc(time.time() + 30 * 86400))
        cls.current = [cls.paths[k] for k in ("hostile", "berlin2", "remote", "muenchen",
                                              "kiel", "berlin1")]

    def all_pages(self, first):
        """Follows the list's next links from first; the jobs of every page."""
        got, url, seen = [], first, 0
        while url:
            r = self.get(url, status=200)
            got += listing(r.text)
            m = re.search(r'<a class="next" href="([^"]+)"', r.text)
            url = m and m.group(1).replace("&amp;", "&")
            seen += 1
            self.assertLess(seen, 20, "pagination does not end")
        return got

    def test_sitemap(self):
        dom = xml.dom.minidom.parseString(self.get("/sitemap.xml", status=200).text)
        locs = [e.firstChild.data for e in dom.getElementsByTagName("loc")]
        self.assertIn(self.site.base_url + "/jobs/", locs)
        for p in self.current:
            self.assertIn(self.site.base_url + p, locs)
        for gone in ("expired", "ahead"):
            self.assertNotIn(self.site.base_url + self.paths[gone], locs)

    def test_list_and_pages(self):
        r = self.get("/jobs/", status=200)
        self.assertIn("text/html", r.h("content-type"))
        first = listing(r.text)
        self.assertEqual(first, self.current[:2])
        self.assertIn("<strong>6</strong>", r.text)
        self.assertEqual(self.all_pages("/jobs/"), self.current)
        r2 = self.get("/jobs/page/2/", status=200)
        self.assertEqual(listing(r2.text), self.current[2:4])
        p = Page(r2.text)
        self.assertEqual(p.link_rel("canonical")[0]["href"],
                         self.site.base_url + "/jobs/page/2/")
        self.get("/jobs/page/4/", status=404)
        self.assertEqual(self.get("/jobs/page/1/").status, 301)
        # Feed autodiscovery.
        self.assertTrue([l for l in Page(r.text).link_rel("alternate")
                         if l.get("href") == "/jobs/feed/"])
        for gone in ("expired", "ahead"):
            self.assertNotIn(self.paths[gone], r.text + r2.text)

    def test_filters(self):
        def jobs_for(query):
            return self.all_pages("/jobs/?" + query)
        # Location: exact, ignoring case; "" is any.
        self.assertEqual(jobs_for("location=BERLIN&type="),
                         [self.paths["berlin2"], self.paths["berlin1"]])
        self.assertEqual(jobs_for("location=M%C3%BCnchen"), [self.paths["muenchen"]])
        self.assertEqual(jobs_for("location=&type=&remote=1"),
                         [self.paths["remote"], self.paths["muenchen"]])
        self.assertEqual(jobs_for("type=internship"), [self.paths["berlin1"]])
        self.assertEqual(jobs_for("type=part-time&remote=1"), [self.paths["muenchen"]])
        self.assertEqual(jobs_for("location=Kiel&type=part-time"), [])
        self.assertEqual(jobs_for("location=&type="), self.current)
        # The form shows the choice; the locations come from the current jobs.
        r = self.get("/jobs/?location=kiel&type=full-time", status=200)
        p = Page(r.text)
        selected = [a.get("value") for t, a in p.elements if t == "option" and "selected" in a]
        self.assertEqual(selected, ["Kiel", "full-time"])
        options = [a.get("value") for t, a in p.elements if t == "option"]
        for loc in ("Berlin", "Kiel", "München", HOSTILE):
            self.assertTrue(loc in options or loc.lower() in options, (loc, options))
        self.assertNotIn("Hamburg", options)
        self.assertEqual(p.meta("robots"), "noindex")
        # Paged filters keep the filter in their links.
        r = self.get("/jobs/?location=&type=full-time", status=200)
        m = re.search(r'<a class="next" href="([^"]+)"', r.text)
        self.assertTrue(m, "a full-time list of 4 jobs has a second page")
        nxt = m.group(1).replace("&amp;", "&")
        self.assertIn("type=full-time", nxt)
        self.assertIn("page=2", nxt)
        # Nothing matches: a helpful empty page, still 200.
        r = self.get("/jobs/?location=Kiel&remote=1", status=200)
        self.assertIn('href="/jobs/"', r.text)
        self.assertEqual(listing(r.text), [])

    def test_bad_filters(self):
        for q in ("location=Atlantis", "type=vollzeit", "remote=yes", "remote=1&page=0",
                  "type=&page=abc", "location=" + "B" * 300, "location=%FF%FE",
                  "location=Kiel%0A", "type=&page=99999999999", "location=Kiel&page=5"):
            with self.subTest(q):
                r = self.get("/jobs/?" + q)
                self.assertIn(r.status, (400, 404), r)
                self.assertIn("text/html", r.h("content-type", ""))
                self.assertNotIn("Atlantis", r.text)

    def test_job_page_and_jsonld(self):
        r = self.get(self.paths["kiel"], status=200)
        p = Page(r.text)
        self.assertIn("Reporter Kiel", p.title_text)
        docs = jsonld_of(r.text)
        self.assertEqual(len(docs), 1, r.text[:3000])
        d = docs[0]
        self.assertEqual(d["@context"], "https://schema.org")
        self.assertEqual(d["title"], "Reporter Kiel")
        self.assertIn("Verstärkung", d["description"])
        self.assertTrue(d["description"].startswith("<p>"), "description is HTML")
        posted = datetime.datetime.fromisoformat(d["datePosted"])
        self.assertIsNotNone(posted.tzinfo)
        self.assertEqual(d["validThrough"], FAR_END)
        self.assertEqual(d["employmentType"], "FULL_TIME")
        self.assertEqual(d["hiringOrganization"], {"@type": "Organization",
                                                   "name": "Der Testbote"})
        self.assertEqual(d["jobLocation"]["@type"], "Place")
        self.assertEqual(d["jobLocation"]["address"]["@type"], "PostalAddress")
        self.assertEqual(d["jobLocation"]["address"]["addressLocality"], "Kiel")
        self.assertEqual(d["jobLocation"]["address"]["addressCountry"], "DE")
        self.assertNotIn("jobLocationType", d)
        self.assertEqual(d["url"], self.site.base_url + self.paths["kiel"])
        self.assertIs(d["directApply"], False)
        # The apply link leaves the site without passing rank or the opener.
        apply = [a for a, t in p.anchors if a.get("href") == "https://jobs.example.org/bewerben"]
        self.assertEqual(len(apply), 1)
        self.assertEqual(set(apply[0].get("rel", "").split()), {"nofollow", "noopener"})
        self.assertEqual(p.link_rel("canonical")[0]["href"],
                         self.site.base_url + self.paths["kiel"])
        # Shown as the last day: 31 January.
        self.assertIn('datetime="2031-01-31"', r.text)

    def test_remote_jsonld(self):
        d = jsonld_of(self.get(self.paths["remote"], status=200).text)[0]
        self.assertEqual(d["jobLocationType"], "TELECOMMUTE")
        self.assertEqual(d["applicantLocationRequirements"],
                         {"@type": "Country", "name": "Deutschland"})
        self.assertNotIn("jobLocation", d)
        self.assertEqual(d["employmentType"], "CONTRACTOR")
        self.assertIn("<h2>Aufgaben</h2>", d["description"])
        self.assertNotIn("<script", d["description"])
        d = jsonld_of(self.get(self.paths["muenchen"], status=200).text)[0]
        self.assertEqual(d["jobLocationType"], "TELECOMMUTE")
        self.assertEqual(d["jobLocation"]["address"]["addressLocality"], "München")
        self.assertEqual(d["employmentType"], "PART_TIME")
        self.assertEqual(d["hiringOrganization"]["name"], "Bild & Ton GmbH")
        d = jsonld_of(self.get(self.paths["berlin1"], status=200).text)[0]
        self.assertEqual(d["employmentType"], "INTERN")
        # mailto: no rel needed, a mail link.
        p = Page(self.get(self.paths["muenchen"]).text)
        mail = [a for a, t in p.anchors if a.get("href") == "mailto:foto@example.org"]
        self.assertEqual(len(mail), 1)
        self.assertNotIn("nofollow", mail[0].get("rel", ""))

    def test_hostile_text_escaped(self):
        r = self.get(self.paths["hostile"], status=200)
        text = r.text
        p = Page(text)
        self.assertEqual(p.event_handler_attrs(), [])
        # No script but the JSON-LD runs the text; nothing closes it early.
        self.assertEqual(p.inline_scripts_with("alert"), [])
        self.assertEqual(len(p.jsonld()), 1)
        raw = p.jsonld()[0]
        self.assertNotIn("</script", raw.lower())
        self.assertNotIn("<!--", raw)
        self.assertNotIn("<", raw)
        d = json.loads(raw)
        self.assertEqual(d["title"], HOSTILE)
        self.assertEqual(d["hiringOrganization"]["name"], HOSTILE)
        self.assertEqual(d["jobLocation"]["address"]["addressLocality"], HOSTILE)
        self.assertNotIn("<script", d["description"])
        self.assertEqual(Page(d["description"]).event_handler_attrs(), [])
        # The visible text shows the characters as they were typed.
        self.assertIn(HOSTILE, p.text)
        self.assertIn(HOSTILE, p.title_text)
        self.assertNotIn('<script>alert("x")', text)
        # The apply URL keeps its query, escaped in the attribute.
        self.assertIn('href="https://example.org/?a=1&amp;b=%22x%22"', text)
        # In the list, the box and the feed alike.
        for path in ("/jobs/", "/jobs/?location=" + urllib.parse.quote(HOSTILE), self.article):
            with self.subTest(path):
                t = self.get(path, status=200).text
                self.assertNotIn('<script>alert("x")', t)
                self.assertEqual(Page(t).event_handler_attrs(), [])
                self.assertIn(HOSTILE, Page(t).text)
        feed = self.get("/jobs/feed/", status=200).body
        xml.dom.minidom.parseString(feed)
        self.assertNotIn(b"<script", feed)

    def test_gone_jobs_are_404(self):
        for key in ("expired", "ahead"):
            with self.subTest(key):
                r = self.get(self.paths[key], status=404)
                self.assertIn("text/html", r.h("content-type"))
        self.get("/jobs/gibt-es-nicht/", status=404)
        self.assertEqual(self.get("/jobs/kiel").status, 301)

    def test_feed(self):
        if feedparser is None:
            self.fail("feedparser missing: run with /usr/bin/python3")
        r = self.get("/jobs/feed/", status=200)
        ct = r.h("content-type", "")
        self.assertTrue(ct.startswith("application/rss+xml"), ct)
        xml.dom.minidom.parseString(r.body)  # well-formed
        d = feedparser.parse(r.body, response_headers={"content-type": ct})
        self.assertFalse(d.bozo, "feedparser: %r" % d.get("bozo_exception"))
        self.assertEqual(d.version, "rss20")
        self.assertEqual(d.feed.link, self.site.base_url + "/jobs/")
        links = [e.link for e in d.entries]
        self.assertEqual(links, [self.site.base_url + p for p in self.current])
        titles = [e.title for e in d.entries]
        self.assertIn("Reporter Kiel", titles)
        dom = xml.dom.minidom.parseString(r.body)
        first = dom.getElementsByTagName("item")[0].getElementsByTagName("title")[0]
        self.assertEqual(first.firstChild.data, HOSTILE)
        e = d.entries[links.index(self.site.base_url + self.paths["remote"])]
        self.assertIn("<h2>Aufgaben</h2>", e.content[0].value)
        self.assertNotIn("<script", e.content[0].value)
        self.assertIn("Depesche e. V.", e.summary)
        for gone in ("expired", "ahead"):
            self.assertNotIn(self.site.base_url + self.paths[gone], links)

    def test_box_on_articles(self):
        r = self.get(self.article, status=200)
        self.assertEqual(box_jobs(r.text), self.current[:4])
        self.assertIn('href="/jobs/"', r.text)

    @unittest.skipUnless(HAVE_VNU, "java or tests/browser/node_modules/vnu-jar missing")
    def test_nu_html_checker(self):
        pages = {
            "jobs": self.get("/jobs/", status=200).body,
            "jobs_page2": self.get("/jobs/page/2/", status=200).body,
            "jobs_filtered": self.get("/jobs/?location=Berlin&type=&remote=1").body,
            "jobs_none": self.get("/jobs/?location=Kiel&type=internship", status=200).body,
            "job": self.get(self.paths["kiel"], status=200).body,
            "job_remote": self.get(self.paths["remote"], status=200).body,
            "job_hostile": self.get(self.paths["hostile"], status=200).body,
            "job_404": self.get(self.paths["expired"], status=404).body,
            "jobs_400": self.get("/jobs/?type=x", status=400).body,
            "article_box": self.get(self.article, status=200).body,
        }
        vnu_check(self, pages)


# --------------------------------------------------------------------------
class JobEmptyTest(SiteTestCase):
    """A board without jobs, and the box that is then left out."""
    SERVE = True

    @classmethod
    def populate(cls):
        cls.article = cls.site.add("Ohne Stellen", slug="ohne-stellen")

    def test_empty_board(self):
        r = self.get("/jobs/", status=200)
        self.assertEqual(listing(r.text), [])
        self.assertIn("<strong>0</strong>", r.text)
        d = feedparser.parse(self.get("/jobs/feed/", status=200).body) if feedparser else None
        if d is not None:
            self.assertFalse(d.bozo)
            self.assertEqual(d.entries, [])
        self.assertNotIn('class="jobs-box"', self.get(self.article, status=200).text)


# --------------------------------------------------------------------------
class JobTimeTest(SiteTestCase):
    """Jobs leave and enter the cached pages of a running server at their
    time, and follow CLI changes, without a restart."""
    SERVE = True

    @classmethod
    def populate(cls):
        cls.article = cls.site.add("Artikel mit Stellen", slug="artikel")
        cls.stays = add_job(cls.site, "Bleibt", location="Kiel")

    def present(self, path):
        """Whether the job path shows on /jobs/, in the feed and in the box."""
        return {
            "list": path in listing(self.server.get("/jobs/").text),
            "feed": (self.site.base_url + path).encode() in self.server.get("/jobs/feed/").body,
            "box": path in box_jobs(self.server.get(self.article).text),
            "page": self.server.get(path).status == 200,
        }

    def test_expires_while_running(self):
        valid = iso_utc(time.time() + 8)
        path = add_job(self.site, "Nur kurz", location="Kiel", valid=valid)
        # Seen everywhere (and so cached) while it is current.
        seen = poll(lambda: all(self.present(path).values()), deadline=6,
                    what="the short job on every page")
        self.assertTrue(seen)
        # The cached pages must let it go at its time.
        poll(lambda: not any(self.present(path).values()), deadline=EXPIRY_DEADLINE,
             what="the expired job to leave /jobs/, its page, the feed and the box")
        self.assertEqual(self.server.get(path).status, 404)
        # The job that stays is still there.
        self.assertTrue(all(self.present(self.stays).values()))

    def test_appears_while_running(self):
        before = listing(self.get("/jobs/", status=200).text)
        posted = iso_utc(time.time() + 3)
        path = add_job(self.site, "Ab gleich", location="Kiel", posted=posted)
        self.assertNotIn(path, before)
        poll(lambda: all(self.present(path).values()), deadline=EXPIRY_DEADLINE,
             what="the job posted ahead to appear at its time")

    def test_cli_changes_reach_cached_pages(self):
        path = add_job(self.site, "Wird beendet", location="Kiel")
        poll(lambda: all(self.present(path).values()), what="the new job on every page")
        self.site.must("job", "edit", path.split("/")[2], "--title", "Umbenannt")
        poll(lambda: "Umbenannt" in self.server.get("/jobs/").text, what="the new title")
        self.site.must("job", "expire", path.split("/")[2])
        poll(lambda: not any(self.present(path).values()),
             what="the ended job to leave every page")


# --------------------------------------------------------------------------
class JobAdminTest(AdminCase):
    LOGINS = ("chefin", "redakteur", "moritz")

    @classmethod
    def populate(cls):
        super().populate()
        cls.site.configure(timezone="Europe/Berlin")

    def form(self, **over):
        f = {"title": "Reporterin Lokales", "employer": "Der Testbote", "location": "Görlitz",
             "type": "part-time", "apply_url": "https://jobs.example.org/42",
             "valid_through": "2031-03-31", "posted": "", "slug": "",
             "description": "## Aufgaben\n\nBerichten.", "action": "save"}
        f.update(over)
        return {k: v for k, v in f.items() if v is not None}

    def job_row(self, job_id):
        return self.one("SELECT slug, title, location, remote, type, valid_through, posted_at"
                        " FROM jobs WHERE id = ?", job_id)

    def create(self, b, **over):
        r = b.post("/admin/jobs", self.form(**over))
        self.assertRedirect(r, "/admin/jobs/")
        m = re.match(r"/admin/jobs/(\d+)\?done=job_created$", r.h("location"))
        self.assertTrue(m, r.h("location"))
        return int(m.group(1))

    def test_roles(self):
        m = self.as_["moritz"]
        self.assertStatus(m.get("/admin/jobs"), 403)
        self.assertStatus(m.get("/admin/jobs/new"), 403)
        before = snapshot(self.site)
        self.assertStatus(m.post("/admin/jobs", self.form()), 403)
        self.assertEqual(before, snapshot(self.site), "a moderator's job form")
        self.assertStatus(Browser(self.server).get("/admin/jobs"), 303)
        page = self.as_["redakteur"].get("/admin/jobs")
        self.assertStatus(page, 200)
        self.assertIn('href="/admin/jobs" aria-current="page"', page.text)

    def test_csrf(self):
        b = self.as_["chefin"]
        before = snapshot(self.site)
        for token in (False, "0" * 64, ""):
            with self.subTest(token=token):
                self.assertStatus(b.post("/admin/jobs", self.form(), csrf=token), 403)
        self.assertEqual(before, snapshot(self.site), "job forms without a valid CSRF token")

    def test_create_edit_expire_delete(self):
        b = self.as_["redakteur"]
        job_id = self.create(b)
        r = b.get("/admin/jobs/%d?done=job_created" % job_id)
        self.assertStatus(r, 200)
        self.assertIn("Die Stelle wurde angelegt.", r.text)
        slug, title, location, remote, typ, valid, posted = self.job_row(job_id)
        self.assertEqual((slug, title, location, remote, typ),
                         ("reporterin-lokales-der-testbote", "Reporterin Lokales", "Görlitz",
                          0, 1))
        end = datetime.datetime(2031, 4, 1, tzinfo=BERLIN).timestamp()
        self.assertEqual(valid, int(end))
        self.assertLessEqual(abs(posted - time.time()), 60)
        wait_for_status(self.server, "/jobs/%s/" % slug, 200)
        self.assertIn(("redakteur", "job.create", "/jobs/%s/" % slug),
                      self.db("SELECT actor, action, object FROM audit_log"))

        # The edit form shows what is stored; saving it unchanged keeps the times.
        r = b.get("/admin/jobs/%d" % job_id)
        p = Page(r.text)
        values = {a.get("name"): a.get("value") for t, a in p.elements
                  if t == "input" and a.get("name")}
        self.assertEqual(values["valid_through"], "2031-03-31")
        self.assertEqual(values["slug"], slug)
        self.assertIn("## Aufgaben", r.text)
        fields = dict(self.form(), title="Reporterin Lokales und Region", posted=values["posted"],
                      slug=slug, remote="1", location="")
        r = b.post("/admin/jobs/%d" % job_id, fields)
        self.assertRedirect(r, "/admin/jobs/%d?done=job_saved" % job_id)
        slug2, title2, location2, remote2, _, valid2, posted2 = self.job_row(job_id)
        self.assertEqual((slug2, title2, location2, remote2),
                         (slug, "Reporterin Lokales und Region", "", 1))
        self.assertEqual((valid2, posted2), (valid, posted))
        poll(lambda: "und Region" in self.server.get("/jobs/%s/" % slug).text,
             what="the edited title on the public page")

        # End it now: the public page goes, the admin keeps it as expired.
        r = b.post("/admin/jobs/%d" % job_id, {"action": "expire"})
        self.assertRedirect(r, "/admin/jobs/%d?done=job_expired" % job_id)
        wait_for_status(self.server, "/jobs/%s/" % slug, 404)
        lst = b.get("/admin/jobs")
        self.assertIn("abgelaufen", lst.text)
        # Saving the ended job unchanged keeps it ended.
        r = b.get("/admin/jobs/%d" % job_id)
        vals = {a.get("name"): a.get("value") for t, a in Page(r.text).elements
                if t == "input" and a.get("name")}
        r = b.post("/admin/jobs/%d" % job_id, dict(self.form(), title="Noch beendet",
                                                   valid_through=vals["valid_through"],
                                                   posted=vals["posted"], slug=slug,
                                                   remote="1", location=""))
        self.assertRedirect(r, "/admin/jobs/%d?done=job_saved" % job_id)
        self.assertEqual(self.job_row(job_id)[1], "Noch beendet")
        self.assertEqual(self.server.get("/jobs/%s/" % slug).status, 404)
        self.assertLessEqual(self.job_row(job_id)[5], int(time.time()))

        # Delete asks first, then deletes.
        r = b.post("/admin/jobs/%d" % job_id, {"action": "delete"})
        self.assertStatus(r, 200)
        self.assertIn('name="confirm" value="1"', r.text)
        self.assertEqual(len(self.db("SELECT id FROM jobs WHERE id = ?", job_id)), 1)
        r = b.post("/admin/jobs/%d" % job_id, {"action": "delete", "confirm": "1"})
        self.assertRedirect(r, "/admin/jobs?done=job_deleted")
        self.assertEqual(self.db("SELECT id FROM jobs WHERE id = ?", job_id), [])
        self.assertStatus(b.get("/admin/jobs/%d" % job_id), 404)
        actions = [x[0] for x in self.db("SELECT action FROM audit_log WHERE object = ?",
                                          "/jobs/%s/" % slug)]
        for a in ("job.create", "job.update", "job.expire", "job.delete"):
            self.assertIn(a, actions)

    def test_refused_input_keeps_values(self):
        b = self.as_["chefin"]
        before = snapshot(self.site)
        cases = [
            ({"employer": ""}, "employer", "den Arbeitgeber"),
            ({"location": "", "remote": None}, "location", "einen Ort an"),
            ({"apply_url": "javascript:alert(1)"}, "apply_url", "Erlaubt sind Adressen"),
            ({"valid_through": "2020-01-01"}, "valid_through", "Vergangenheit"),
            ({"valid_through": "kein Datum"}, "valid_through", "kein gültiges Datum"),
            ({"type": "vollzeit"}, "type", "angebotenen Arten"),
            ({"slug": "Mit Leerzeichen"}, "slug", "Der Slug darf nur"),
            ({"title": "x" * 201}, "title", "Die Stellenbezeichnung ist zu lang"),
        ]
        for over, field, needle in cases:
            with self.subTest(field=field, over=over):
                r = b.post("/admin/jobs", self.form(title=over.get("title", XSS_TITLE), **{
                    k: v for k, v in over.items() if k != "title"}))
                self.assertStatus(r, 422)
                self.assertIn(needle, r.text)
                p = Page(r.text)
                inputs = {a.get("name"): a for t, a in p.elements
                          if t in ("input", "select", "textarea") and a.get("name")}
                self.assertEqual(inputs[field].get("aria-invalid"), "true")
                if field != "title":
                    self.assertEqual(inputs["title"].get("value"), XSS_TITLE)
                self.assertIn("## Aufgaben", r.text)
                self.assertEqual(p.event_handler_attrs(), [])
                self.assertNotIn("<script>alert", r.text)
        self.assertEqual(before, snapshot(self.site), "refused job forms")
        self.assertStatus(b.post("/admin/jobs/999999", {"action": "save"}), 404)
        job_id = self.create(b, slug="eine-stelle")
        self.assertStatus(b.post("/admin/jobs/%d" % job_id, {"action": "pause"}), 400)
        # A slug another job has: refused with the values kept.
        other = self.create(b, slug="andere-stelle")
        r = b.post("/admin/jobs/%d" % other, self.form(slug="eine-stelle", title="Zweite"))
        self.assertStatus(r, 422)
        self.assertIn("schon eine andere Stelle", r.text)
        self.assertEqual(self.job_row(other)[0], "andere-stelle")

    def test_hostile_in_admin(self):
        b = self.as_["chefin"]
        job_id = self.create(b, title=HOSTILE, employer=HOSTILE, location=HOSTILE,
                             description=HOSTILE)
        for path in ("/admin/jobs", "/admin/jobs/%d" % job_id):
            with self.subTest(path):
                r = b.get(path)
                self.assertStatus(r, 200)
                self.assertNotIn('<script>alert("x")', r.text)
                self.assertEqual(Page(r.text).event_handler_attrs(), [])
                self.assertIn(HOSTILE, Page(r.text).text + "".join(
                    a.get("value", "") for t, a in Page(r.text).elements))

    def test_list_pages(self):
        b = self.as_["chefin"]
        for i in range(21):
            self.site.must(*job_args("Stelle %02d" % i, slug="stelle-%02d" % i), stdin="")
        r = b.get("/admin/jobs")
        self.assertStatus(r, 200)
        self.assertIn('href="/admin/jobs?page=2"', r.text)
        r2 = b.get("/admin/jobs?page=2")
        self.assertStatus(r2, 200)
        self.assertIn("Stelle 00", r2.text)
        self.assertStatus(b.get("/admin/jobs?page=50"), 404)

    @unittest.skipUnless(HAVE_VNU, "java or tests/browser/node_modules/vnu-jar missing")
    def test_nu_html_checker(self):
        b = self.as_["chefin"]
        job_id = self.create(b, slug="geprueft")
        pages = {
            "admin_jobs": b.get("/admin/jobs?done=job_deleted").body,
            "admin_job_new": b.get("/admin/jobs/new").body,
            "admin_job_edit": b.get("/admin/jobs/%d?done=job_saved" % job_id).body,
            "admin_job_refused": b.post("/admin/jobs", self.form(apply_url="ftp://x")).body,
            "admin_job_delete": b.post("/admin/jobs/%d" % job_id, {"action": "delete"}).body,
        }
        vnu_check(self, pages)


XSS_TITLE = 'Volontär <script>alert("t")</script> & "Söhne"'


if __name__ == "__main__":
    unittest.main()
