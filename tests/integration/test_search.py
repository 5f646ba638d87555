"""Site search and related articles against a running server (issue 5).

/?s= (WordPress), /search/?s= (the search box) and /search/<words>/ give the
same results; German stemming and compounds end to end; phrases and
-exclusion; title matches first; the result count and pagination; hostile
article text escaped in titles and snippets with only <mark> raw; hostile
queries (HTML, FTS5 syntax, too long, bad UTF-8 and percent-encoding);
drafts and scheduled articles never found until their time; the index
follows the CLI at once; `depesche search reindex`; related articles under
an article, changing when articles change; the per-address rate limit; the
pages through the Nu Html Checker."""

import html
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import (BASE_URL, REPO, Server, SiteTestCase, Page, iso_utc, local_path, poll)

VNU = os.path.join(REPO, "tests", "browser", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
NO_LIMIT = {"search_rate_per_minute": 100000000}


def strip_tags(s):
    return html.unescape(re.sub(r"<[^>]*>", "", s))


def norm_ws(s):
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()


class Hit:
    def __init__(self, url, title_html, snippet_html):
        self.url = url
        self.title_html = title_html
        self.snippet_html = snippet_html
        self.title = norm_ws(strip_tags(title_html))

    def __repr__(self):
        return "<hit %s %r>" % (self.url, self.title)


def hits_of(text):
    """The result list of a search page, in order."""
    m = re.search(r'<ol class="search-results"[^>]*>(.*?)</ol>', text, re.S)
    if not m:
        return []
    out = []
    for chunk in m.group(1).split('<li class="summary search-hit"')[1:]:
        h = re.search(r'<h2><a href="([^"]+)">(.*?)</a></h2>', chunk, re.S)
        if not h:
            raise AssertionError("a result without <h2><a href>: %r" % chunk[:300])
        sn = re.search(r'<p class="snippet">(.*?)</p>', chunk, re.S)
        out.append(Hit(html.unescape(h.group(1)), h.group(2), sn.group(1) if sn else ""))
    return out


def search_path(words, page=1, how="path"):
    if how == "path":
        p = "/search/" + urllib.parse.quote(words, safe="") + "/"
        return p + ("page/%d/" % page if page > 1 else "")
    if how == "wp":
        return "/?s=" + urllib.parse.quote_plus(words) + ("&paged=%d" % page if page > 1 else "")
    if how == "form":
        return "/search/?s=" + urllib.parse.quote_plus(words) + ("&paged=%d" % page if page > 1 else "")
    raise ValueError(how)


def vnu_check(test, pages):
    """pages: {name: body bytes}; fails the test with the checker's errors."""
    tmp = tempfile.mkdtemp(prefix="depesche-vnu-")
    try:
        files = []
        for name, body in pages.items():
            path = os.path.join(tmp, name + ".html")
            with open(path, "wb") as f:
                f.write(body)
            files.append(path)
        p = subprocess.run(["java", "-jar", VNU, "--errors-only", "--format", "gnu"] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
        out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
        test.assertEqual(p.returncode, 0, "Nu Html Checker errors:\n" + out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class SearchCase(SiteTestCase):
    SERVE = True

    def search(self, words, page=1, how="path", status=200):
        path = search_path(words, page, how)
        r = self.server.get(path)
        self.assertEqual(r.status, status, "GET %s: %r" % (path, r))
        self.assertIn("text/html", r.h("content-type", ""), path)
        return r

    def hits(self, words, **kw):
        return hits_of(self.search(words, **kw).text)

    def urls(self, words, **kw):
        return [h.url for h in self.hits(words, **kw)]


# --------------------------------------------------------------------------
class SearchTest(SearchCase):
    """A small German corpus; everything read-only."""

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(**NO_LIMIT)
        # "Strecke" stands alone here, so "Bahnstrecke" (added after) is split.
        cls.marathon = s.add("Marathon am Sonntag",
                             body="Die Strecke des Marathons führt durch die Altstadt und "
                                  "an der Bahn entlang.\n",
                             date="2025-05-01T08:00:00Z", tags=["Sport"], category="Lokales")
        cls.bahn = s.add("Neue Verbindung in den Norden",
                         body="Die neue Bahnstrecke nach Hamburg ist eröffnet. Reisende sparen "
                              "eine halbe Stunde.\n",
                         date="2025-05-02T08:00:00Z", tags=["Verkehr"], category="Wirtschaft")
        cls.bahn2 = s.add("Sperrung im Süden",
                          body="Die Bahnstrecke nach München bleibt gesperrt; eine neue Brücke "
                               "wird gebaut.\n",
                          date="2025-05-03T08:00:00Z", tags=["Verkehr"])
        cls.arbeit = s.add("Streik in Bochum",
                           body="Hunderte Arbeiterinnen legten am Morgen die Arbeit nieder.\n",
                           date="2025-05-04T08:00:00Z", author="Erika Mustermann")
        # title match (older) against body-only matches (newer)
        cls.title_hit = s.add("Leuchtturmprojekt vorgestellt",
                              body="Die Stadt stellt ihre Pläne vor.\n",
                              date="2025-01-01T08:00:00Z")
        cls.body_hit = s.add("Pläne für das Hafengelände",
                             body="Ein Leuchtturmprojekt soll am Hafen entstehen, sagte die "
                                  "Bürgermeisterin.\n",
                             date="2025-05-05T08:00:00Z")
        # 23 articles with one shared word: three pages of ten
        cls.series = [s.add("Hafenmeldung Nummer %d" % i,
                            body="Kurze Meldung %d aus dem Hafenamt: Fährverkehr läuft.\n" % i,
                            date="2025-04-%02dT08:00:00Z" % i)
                      for i in range(1, 24)]
        cls.hostile = s.add('<script>alert(1)</script> Zollstreit "><img src=x onerror=alert(2)>',
                            slug="zollstreit",
                            body="Im Zollstreit `<script>alert(3)</script>` gibt es "
                                 "`\"><img src=x onerror=alert(4)>` neue Töne & Fragen.\n",
                            date="2025-05-06T08:00:00Z")
        s.add("Geheimer Entwurf", body="Das Wort Entwurfsgeheimnis steht nur hier.\n",
              draft=True)
        s.add("Ferne Zukunft", body="Das Wort Zukunftsgeheimnis steht nur hier.\n",
              date="2099-01-01T00:00:00Z")

    def test_three_ways_same_results(self):
        want = self.urls("Bahnstrecke")
        self.assertEqual(sorted(want), sorted([self.bahn, self.bahn2]))
        for how in ("wp", "form"):
            with self.subTest(how=how):
                self.assertEqual(self.urls("Bahnstrecke", how=how), want)

    def test_canonical_and_noindex(self):
        for how in ("path", "wp", "form"):
            with self.subTest(how=how):
                p = Page(self.search("neue Bahnstrecke", how=how).text)
                canon = [l.get("href") for l in p.link_rel("canonical")]
                self.assertEqual(canon, [BASE_URL + "/search/neue%20Bahnstrecke/"])
                self.assertIn("noindex", p.meta("robots") or "")
        r = self.search("neue Bahnstrecke", how="wp")
        self.assertIn("no-store", r.h("cache-control", ""))

    def test_plus_and_blanks_in_the_query_string(self):
        self.assertEqual(self.urls("neue   Bahnstrecke", how="wp"),
                         self.urls("neue Bahnstrecke"))
        r = self.server.get("/?s=neue+Bahnstrecke")
        self.assertEqual([h.url for h in hits_of(r.text)], self.urls("neue Bahnstrecke"))

    def test_redirects_to_the_slash_form(self):
        for path, to in (("/search/Bahnstrecke", "/search/Bahnstrecke/"),
                         ("/search/Bahnstrecke/page/1/", "/search/Bahnstrecke/"),
                         ("/search/Hafenmeldung/page/2", "/search/Hafenmeldung/page/2/"),
                         ("/search/neue%20Bahn", "/search/neue%20Bahn/")):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 301, r)
                self.assertEqual(local_path(r.h("location", "")), to)

    def test_bad_paths(self):
        for path, status in (("/search/Hafenmeldung/page/0/", 404),
                             ("/search/Hafenmeldung/page/x/", 404),
                             ("/search/Hafenmeldung/page/9999999/", 404),
                             ("/search//", 404),
                             ("/?s=Hafenmeldung&paged=0", 404),
                             ("/?s=Hafenmeldung&paged=zwei", 404)):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, status, r)
                self.assertIn("text/html", r.h("content-type", ""))

    def test_start_page(self):
        r = self.server.get("/search/")
        self.assertEqual(r.status, 200)
        p = Page(r.text)
        self.assertIn("Artikel durchsuchen", p.text)
        self.assertEqual(hits_of(r.text), [])
        forms = [a for t, a in p.elements if t == "form" and a.get("role") == "search"]
        self.assertEqual(len(forms), 1, "one search form on the search page")
        self.assertEqual(forms[0].get("action"), "/search/")
        self.assertEqual((forms[0].get("method") or "").lower(), "get")

    def test_search_box_on_every_page(self):
        for path in ("/", self.bahn, "/tag/verkehr/"):
            with self.subTest(path=path):
                p = self.page(path)
                forms = [a for t, a in p.elements if t == "form" and a.get("role") == "search"]
                self.assertEqual(len(forms), 1, path)
                self.assertEqual(forms[0].get("action"), "/search/")
                inputs = [a for t, a in p.elements if t == "input" and a.get("name") == "s"]
                self.assertEqual(len(inputs), 1)
                labels = [a for t, a in p.elements if t == "label"
                          and a.get("for") == inputs[0].get("id")]
                self.assertEqual(len(labels), 1, "the search field has no <label for>")
                self.assertTrue([1 for t, a in p.elements if t == "button"
                                 and a.get("type") == "submit"])

    def test_prefilled_and_count(self):
        r = self.search("Bahnstrecke")
        p = Page(r.text)
        value = [a.get("value") for t, a in p.elements if t == "input" and a.get("name") == "s"]
        self.assertEqual(value, ["Bahnstrecke"])
        self.assertIn("2 Treffer für", norm_ws(p.text))
        self.assertIn("Bahnstrecke", p.title_text)
        one = norm_ws(Page(self.search("Arbeiterinnen").text).text)
        self.assertIn("1 Treffer für", one)

    def test_german_stemming(self):
        # "Arbeiter" finds the article about "Arbeiterinnen"
        for words in ("Arbeiter", "arbeiterin", "ARBEITERINNEN"):
            with self.subTest(words=words):
                self.assertEqual(self.urls(words), [self.arbeit])

    def test_folding(self):
        self.assertIn(self.bahn, self.urls("eroffnet"))
        self.assertIn(self.bahn, self.urls("ERÖFFNET"))

    def test_compound_part_finds_compound(self):
        got = self.urls("Strecke")
        for want in (self.marathon, self.bahn, self.bahn2):
            self.assertIn(want, got)

    def test_snippet_marks_the_match(self):
        h = self.hits("Arbeiter")
        self.assertEqual(len(h), 1)
        self.assertRegex(h[0].snippet_html, r"<mark>Arbeiterinnen</mark>")
        self.assertIn("Hunderte", strip_tags(h[0].snippet_html))
        t = self.hits("Streik")
        self.assertIn("<mark>Streik</mark>", t[0].title_html)

    def test_phrase(self):
        # "neue Bahnstrecke" stands so only in self.bahn; self.bahn2 has both words apart
        self.assertEqual(sorted(self.urls("neue Bahnstrecke")), sorted([self.bahn, self.bahn2]))
        self.assertEqual(self.urls('"neue Bahnstrecke"'), [self.bahn])
        self.assertEqual(self.urls('"Bahnstrecke neue"'), [])

    def test_exclusion(self):
        self.assertEqual(self.urls("Bahnstrecke -Hamburg"), [self.bahn2])
        self.assertEqual(self.urls('Bahnstrecke -"halbe Stunde"'), [self.bahn2])

    def test_title_match_ranked_first(self):
        got = self.urls("Leuchtturmprojekt")
        self.assertEqual(got, [self.title_hit, self.body_hit])

    def test_pagination(self):
        first = self.search("Hafenmeldung")
        self.assertIn("23 Treffer für", norm_ws(Page(first.text).text))
        seen = []
        for page, n in ((1, 10), (2, 10), (3, 3)):
            with self.subTest(page=page):
                r = self.search("Hafenmeldung", page=page)
                h = hits_of(r.text)
                self.assertEqual(len(h), n)
                seen += [x.url for x in h]
                p = Page(r.text)
                self.assertIn("Seite %d von 3" % page, norm_ws(p.text))
                nxt = [a.get("href") for t, a in p.elements if t == "a" and a.get("rel") == "next"]
                prv = [a.get("href") for t, a in p.elements if t == "a" and a.get("rel") == "prev"]
                self.assertEqual(nxt, ["/search/Hafenmeldung/page/%d/" % (page + 1)] if page < 3 else [])
                self.assertEqual(prv, ([] if page == 1 else
                                       ["/search/Hafenmeldung/"] if page == 2 else
                                       ["/search/Hafenmeldung/page/2/"]))
                start = re.search(r'<ol class="search-results" start="(\d+)"', r.text)
                self.assertEqual(int(start.group(1)), (page - 1) * 10 + 1)
        self.assertEqual(sorted(seen), sorted(self.series))
        self.assertEqual(self.urls("Hafenmeldung", page=2, how="wp"),
                         self.urls("Hafenmeldung", page=2))
        self.search("Hafenmeldung", page=4, status=404)
        self.search("Bahnstrecke", page=2, status=404)

    def test_no_results_page(self):
        r = self.search("Quantenkryptographieverordnung")
        p = Page(r.text)
        text = norm_ws(p.text)
        self.assertEqual(hits_of(r.text), [])
        self.assertIn("Keine Treffer für", text)
        self.assertIn("Quantenkryptographieverordnung", text)
        self.assertIn("Schreibweise", text)
        hrefs = p.hrefs()
        for feed in ("/feed/", "/feed/atom/", "/feed/json/"):
            self.assertIn(feed, hrefs)
        # topics of the latest articles to browse
        self.assertIn("/category/wirtschaft/", hrefs)
        self.assertIn("/tag/verkehr/", hrefs)
        # a phrase that is not found suggests dropping the quotes
        self.assertIn("Anführungszeichen",
                      norm_ws(Page(self.search('"Bahnstrecke neue"').text).text))

    def test_problems_say_what_is_wrong(self):
        cases = (("-Bahnstrecke", 200, "nur ausgeschlossene Wörter"),
                 ("   ", 200, "mindestens ein Wort"),
                 ("ä" * 101, 400, "zu lang"),
                 ("x" * 201, 400, "zu lang"))
        for words, status, msg in cases:
            for how in ("wp", "form"):
                with self.subTest(words=words[:10], how=how):
                    r = self.search(words, how=how, status=status)
                    self.assertIn(msg, norm_ws(Page(r.text).text))
                    self.assertEqual(hits_of(r.text), [])
        # 200 bytes are fine
        r = self.search("x" * 200)
        self.assertNotIn("zu lang", Page(r.text).text)
        r = self.search("-Bahnstrecke", how="path")
        self.assertIn("nur ausgeschlossene Wörter", Page(r.text).text)
        r = self.server.get("/?s=")
        self.assertEqual(r.status, 200)
        self.assertIn("mindestens ein Wort", Page(r.text).text)

    def test_bad_bytes_are_400(self):
        for path in ("/search/%FF/", "/search/Bahn%C3%28/", "/?s=%C3%28", "/search/?s=%FF%FE",
                     "/search/?s=a%01b", "/search/a%7Fb/"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 400, r)
                self.assertIn("nicht gelesen werden", Page(r.text).text)

    def test_bad_percent_encoding_is_400(self):
        for path in ("/search/%zz/", "/?s=%zz", "/search/?s=Bahn%", "/search/Bahn%G1/"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path).status, 400)

    def test_hostile_query_echoed_escaped(self):
        q = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
        for how in ("path", "wp", "form"):
            with self.subTest(how=how):
                r = self.search(q, how=how)
                self.assertNotIn("<script>alert", r.text)
                self.assertNotIn("<img src=x", r.text)
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
                p = Page(r.text)
                self.assertEqual(p.event_handler_attrs(), [])
                value = [a.get("value") for t, a in p.elements
                         if t == "input" and a.get("name") == "s"]
                self.assertEqual(value, [q])

    def test_fts5_syntax_is_plain_text(self):
        for q in ('NEAR(Bahnstrecke Hamburg)', 'title:Bahnstrecke', 'Bahnstrecke OR Marathon',
                  'Bahnstrecke AND', '"unterminated', '*', '^Bahnstrecke', 'Bahn*', '(',
                  ')', '-', '--', '"', '""', 'a:b:c', '{title body}:Bahn', 'NOT Bahnstrecke',
                  "'; DROP TABLE articles; --", '\\', '+Bahnstrecke', 'Bahnstrecke -'):
            with self.subTest(q=q):
                r = self.server.get(search_path(q, how="wp"))
                self.assertIn(r.status, (200,), "%r: %r" % (q, r))
                self.assertIn("</html>", r.text)
        # the operators are words, not operators: OR does not widen the search
        self.assertNotIn(self.marathon, self.urls("Bahnstrecke OR Marathon"))
        self.assertEqual(self.server.get(self.bahn).status, 200)

    def test_hostile_article_text_escaped(self):
        h = self.hits("Zollstreit")
        self.assertEqual([x.url for x in h], ["/zollstreit/"])
        for part in (h[0].title_html, h[0].snippet_html):
            raw_tags = re.findall(r"<\s*/?\s*([a-zA-Z]+)", part)
            self.assertTrue(set(raw_tags) <= {"mark"}, "raw tags other than <mark>: %r" % part)
            self.assertIn("<mark>Zollstreit</mark>", part)
        self.assertEqual(h[0].title,
                         '<script>alert(1)</script> Zollstreit "><img src=x onerror=alert(2)>')
        snippet = strip_tags(h[0].snippet_html)
        self.assertIn("<script>alert(3)</script>", snippet)
        self.assertIn('"><img src=x onerror=alert(4)>', snippet)
        self.assertIn("Töne & Fragen", snippet)
        self.assertIn("&amp;", h[0].snippet_html)
        r = self.search("Zollstreit")
        p = Page(r.text)
        self.assertEqual(p.event_handler_attrs(), [])
        self.assertEqual([t for t, a in p.elements if t == "img"], [])
        self.assertEqual(p.inline_scripts_with("alert"), [])

    def test_drafts_and_future_never_found(self):
        self.assertEqual(self.urls("Entwurfsgeheimnis"), [])
        self.assertEqual(self.urls("Zukunftsgeheimnis"), [])
        self.assertEqual(self.urls("Entwurf"), [])


# --------------------------------------------------------------------------
class SearchFollowsTest(SearchCase):
    """The index follows the CLI's changes at once, against a running server."""

    @classmethod
    def populate(cls):
        cls.site.configure(**NO_LIMIT)
        cls.site.add("Grundstock", body="Damit die Seite nicht leer ist.\n",
                     date="2025-01-01T08:00:00Z")

    def test_publish_edit_unpublish_delete(self):
        s = self.site
        path = s.add("Wasserstoffzug fährt", slug="wasserstoffzug",
                     body="Der Wasserstoffzug fährt zwischen Kiel und Lübeck.\n")
        self.assertEqual(self.urls("Wasserstoffzug"), [path])
        s.must("post", "edit", "wasserstoffzug", stdin="Jetzt fährt ein Akkuzug statt dessen.\n")
        self.assertEqual(self.urls("Akkuzug"), [path])
        self.assertEqual(self.urls("Kiel"), [])
        # the title is still indexed
        self.assertEqual(self.urls("Wasserstoffzug"), [path])
        s.must("post", "edit", "wasserstoffzug", "--title", "Akkuzug fährt")
        self.assertEqual(self.urls("Wasserstoffzug"), [])
        s.must("post", "unpublish", "wasserstoffzug")
        self.assertEqual(self.urls("Akkuzug"), [])
        s.must("post", "publish", "wasserstoffzug")
        self.assertEqual(self.urls("Akkuzug"), [path])
        s.must("post", "delete", "wasserstoffzug")
        self.assertEqual(self.urls("Akkuzug"), [])

    def test_draft_published_later(self):
        s = self.site
        path = s.add("Windpark genehmigt", slug="windpark", draft=True,
                     body="Der Windpark vor Sylt ist genehmigt.\n")
        self.assertEqual(self.urls("Windpark"), [])
        s.must("post", "publish", "windpark")
        self.assertEqual(self.urls("Windpark"), [path])

    def test_scheduled_found_once_its_time_has_come(self):
        at = int(time.time()) + 3
        path = self.site.add("Zeitgesteuerte Meldung", slug="zeitgesteuert",
                             body="Die Sonnenfinsternis beginnt gleich.\n", date=iso_utc(at))
        if time.time() < at - 0.5:
            self.assertEqual(self.urls("Sonnenfinsternis"), [])
        poll(lambda: self.urls("Sonnenfinsternis") == [path], deadline=15,
             what="the scheduled article found once its time came")

    def test_import_is_indexed(self):
        r = self.site.import_jsonl([
            {"title": "Import eins", "body": "Die Seilbahn über den Rhein.\n",
             "date": "2025-02-01T08:00:00Z"},
            {"title": "Import zwei", "body": "Noch eine Seilbahn.\n", "draft": True},
        ])
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(self.urls("Seilbahn")), 1)


# --------------------------------------------------------------------------
class ReindexTest(SearchCase):
    """`depesche search reindex` rebuilds the index (and splits compounds
    against words that came later), printing its progress."""

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(**NO_LIMIT)
        # the compound first: when it is indexed, "Brücke" is not yet a word of the site
        cls.compound = s.add("Eisenbahnbrücke gesperrt",
                             body="Die Eisenbahnbrücke über die Elbe ist gesperrt.\n",
                             date="2025-03-01T08:00:00Z")
        cls.alone = s.add("Marode Bauwerke",
                          body="Jede dritte Brücke der Eisenbahn muss saniert werden.\n",
                          date="2025-03-02T08:00:00Z")
        for i in range(30):
            s.add("Füllmeldung %d" % i, body="Nichts Besonderes %d.\n" % i,
                  date="2025-02-%02dT08:00:00Z" % (i % 28 + 1))

    def test_reindex(self):
        r = self.site.cli("search", "reindex")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.err + r.out, r"\d+ ?%", "no progress shown: %r" % r)
        self.assertRegex(r.err + r.out, r"100 ?%")
        got = self.urls("Brücke")
        self.assertIn(self.alone, got)
        self.assertIn(self.compound, got, "after a reindex the compound is split")
        self.assertEqual(len(self.urls("Füllmeldung")), 10)
        self.assertIn("30 Treffer für", norm_ws(Page(self.search("Füllmeldung").text).text))

    def test_reindex_bad_usage(self):
        r = self.site.cli("search", "reindex", "--gibt-es-nicht")
        self.assertCLIError(r, codes=(1, 2))


# --------------------------------------------------------------------------
class IndexFormatTest(SiteTestCase):
    """An index made by an older version (another format of its terms) is
    built again before it is used: by any command (with a note on stderr),
    by `serve` before it listens (logged, with progress), and by `search
    reindex` only once. Phrases of function words are found as before."""

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(**NO_LIMIT)
        cls.a = s.add("Lage in der Stadt", body="Die Lage in der Stadt bleibt angespannt.\n",
                      date="2025-03-01T08:00:00Z")
        cls.b = s.add("Zukunft", body="In der Lage: die Stadt der Zukunft.\n",
                      date="2025-03-02T08:00:00Z")

    def make_old(self):
        with sqlite3.connect(self.site.db) as db:
            db.execute("UPDATE search_state SET format = 1")

    def format(self):
        with sqlite3.connect(self.site.db) as db:
            return db.execute("SELECT format FROM search_state").fetchone()[0]

    def test_a_command_builds_it_first(self):
        self.make_old()
        r = self.site.cli("post", "list")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("building the search index of 2 articles first", r.err)
        self.assertNotEqual(self.format(), 1)
        r = self.site.cli("post", "list")
        self.assertNotIn("search index", r.err, "built only once")
        r = self.site.must("search", "query", '"in der Stadt"')
        self.assertIn("1 match\n", r.out)
        self.assertIn(self.a, r.out)
        self.assertIn("[in der Stadt]", r.out, "every word of the phrase marked")

    def test_search_reindex_builds_it_once(self):
        self.make_old()
        r = self.site.cli("search", "reindex")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("first", r.err, "the open did not build it before the reindex")
        self.assertNotEqual(self.format(), 1)

    def test_serve_builds_it_before_listening(self):
        self.make_old()
        server = Server(self.site)
        try:
            r = server.get(search_path('"der Stadt"', 1, "path"))
            self.assertEqual(r.status, 200)
            got = [h.url for h in hits_of(r.text)]
            self.assertEqual(len(got), 1, got)
            self.assertTrue(got[0].endswith(self.a), got)
            r = server.get(search_path('"Stadt der"', 1, "path"))
            got = [h.url for h in hits_of(r.text)]
            self.assertEqual(len(got), 1, got)
            self.assertTrue(got[0].endswith(self.b), got)
        finally:
            rc = server.stop()
        self.assertEqual(rc, 0)
        err = server.stderr()
        self.assertIn("search: building the index of 2 articles", err)
        self.assertIn("search: indexing 100%", err)
        self.assertIn("search: the index is built", err)
        self.assertNotEqual(self.format(), 1)


# --------------------------------------------------------------------------
class RelatedTest(SearchCase):
    """Three related articles under each article, kept up to date."""

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(**NO_LIMIT)
        cls.a = s.add("Neue Bahnstrecke Hamburg–Berlin eröffnet", slug="bahnstrecke-hamburg-berlin",
                      body="Die Bahnstrecke zwischen Hamburg und Berlin ist nach der Sanierung "
                           "wieder offen. Fernzüge und Regionalzüge fahren wieder nach Fahrplan; "
                           "die Bahn verspricht weniger Verspätungen.\n",
                      tags=["Bahn", "Verkehr"], date="2025-06-01T08:00:00Z")
        cls.b = s.add("Fernzüge zwischen Hamburg und Berlin schneller", slug="fernzuege",
                      body="Die Bahn setzt auf der Bahnstrecke Hamburg–Berlin neue Fernzüge ein; "
                           "die Fahrzeit sinkt, der Fahrplan ändert sich.\n",
                      tags=["Bahn"], date="2025-06-02T08:00:00Z")
        cls.c = s.add("Verspätungen bei der Bahn", slug="verspaetungen",
                      body="Regionalzüge und Fernzüge der Bahn hatten im Mai mehr Verspätungen "
                           "als im Vorjahr, der Fahrplan wackelt.\n",
                      tags=["Bahn", "Verkehr"], date="2025-06-03T08:00:00Z")
        cls.d = s.add("Apfelkuchen nach Omas Rezept", slug="apfelkuchen",
                      body="Mehl, Butter, Zucker und Äpfel: ein Kuchen für den Sonntag.\n",
                      tags=["Rezepte"], date="2025-06-04T08:00:00Z")
        cls.e = s.add("Kirschkuchen vom Blech", slug="kirschkuchen",
                      body="Mehl, Butter, Zucker und Kirschen: ein Blechkuchen.\n",
                      tags=["Rezepte"], date="2025-06-05T08:00:00Z")

    def related(self, path):
        r = self.server.get(path)
        self.assertEqual(r.status, 200, r)
        m = re.search(r'<section class="related"[^>]*>(.*?)</section>', r.text, re.S)
        if not m:
            return []
        return [html.unescape(u) for u in re.findall(r'<a href="([^"]+)"', m.group(1))]

    def test_related_under_article(self):
        got = self.related(self.a)
        self.assertTrue(got, "no related articles under %s" % self.a)
        self.assertLessEqual(len(got), 3)
        # the two about the railway first; a recipe at most after them
        self.assertEqual(set(got[:2]), {self.b, self.c})
        self.assertNotIn(self.a, got)
        self.assertEqual(self.related(self.d)[0], self.e)
        p = self.page(self.a)
        self.assertIn("Mehr zum Thema", p.text)

    def test_related_follow_changes(self):
        # a close match appears under a's (cached) page
        self.related(self.a)
        f = self.site.add("Bahnstrecke Hamburg–Berlin: Fernzüge und Regionalzüge nach Fahrplan",
                          slug="bahnstrecke-fahrplan",
                          body="Auf der Bahnstrecke zwischen Hamburg und Berlin fahren Fernzüge "
                               "und Regionalzüge wieder nach Fahrplan; die Bahn meldet weniger "
                               "Verspätungen.\n",
                          tags=["Bahn", "Verkehr"], date="2025-06-06T08:00:00Z")
        poll(lambda: f in self.related(self.a), what="the new article under %s" % self.a)
        # unpublished: gone from the list
        self.site.must("post", "unpublish", "bahnstrecke-fahrplan")
        poll(lambda: f not in self.related(self.a), what="the unpublished article gone")
        self.site.must("post", "publish", "bahnstrecke-fahrplan")
        poll(lambda: f in self.related(self.a), what="the article back")
        # retitled: the link text follows
        self.site.must("post", "edit", "bahnstrecke-fahrplan", "--title",
                       "Bahnstrecke Hamburg–Berlin: alles nach Fahrplan")
        poll(lambda: "alles nach Fahrplan" in self.server.get(self.a).text,
             what="the new title under %s" % self.a)
        # deleted: gone
        self.site.must("post", "delete", "bahnstrecke-fahrplan")
        poll(lambda: f not in self.related(self.a), what="the deleted article gone")

    def test_no_section_without_related(self):
        path = self.site.add("Einzelstück", slug="einzelstueck",
                             body="Xylophon Zither Okarina.\n", date="2025-06-07T08:00:00Z")
        r = self.server.get(path)
        self.assertEqual(r.status, 200)
        self.assertNotIn('class="related"', r.text)


# --------------------------------------------------------------------------
class RateLimitTest(SearchCase):
    """The default limit: a burst of 20 searches per address, then 2 per second."""

    @classmethod
    def populate(cls):
        cls.site.add("Etwas zum Finden", body="Ein Zeppelin über der Stadt.\n")

    def test_429(self):
        got = None
        for i in range(300):
            r = self.server.get("/search/Zeppelin%d/" % i)
            if r.status == 429:
                got = r
                break
            self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(got, "300 searches in a row were never limited")
        self.assertGreaterEqual(i, 20, "limited after only %d searches" % i)
        self.assertIn("text/html", got.h("content-type", ""))
        self.assertIn("Zu viele Suchanfragen", Page(got.text).text)
        self.assertTrue(got.h("retry-after", "").isdigit(), got)
        # the WordPress form is limited too, the rest of the site is not
        self.assertEqual(self.server.get("/?s=Zeppelin").status, 429)
        self.assertEqual(self.server.get("/").status, 200)
        self.assertEqual(self.server.get("/search/").status, 200)
        # the bucket refills
        poll(lambda: self.server.get("/search/Zeppelin/").status == 200,
             what="a search allowed again")


# --------------------------------------------------------------------------
class EnglishSiteTest(SearchCase):
    LANG = "en"

    @classmethod
    def populate(cls):
        cls.site.configure(**NO_LIMIT)
        cls.p = cls.site.add("Dock workers strike", body="Hundreds of workers walked out.\n")

    def test_english(self):
        self.assertEqual(self.urls("worker"), [self.p])
        text = norm_ws(Page(self.search("worker").text).text)
        self.assertIn("1 result for", text)
        self.assertIn("No results for", norm_ws(Page(self.search("zeppelin").text).text))


# --------------------------------------------------------------------------
@unittest.skipUnless(shutil.which("java") and os.path.exists(VNU),
                     "java or tests/browser/node_modules/vnu-jar missing")
class ValidityTest(SearchCase):
    """The search pages and an article with related articles: 0 errors."""

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(**NO_LIMIT)
        cls.a = s.add("Bahnstrecke eröffnet", body="Die neue Bahnstrecke fährt nach Hamburg.\n",
                      tags=["Bahn"], category="Verkehr", author="Erika Mustermann",
                      dateline="HAMBURG")
        s.add("Englischer Bericht", body="The railway line to Hamburg opened; Bahnstrecke.\n",
              lang="en", tags=["Bahn"])
        cls.b = s.add("Bahnstrecke gesperrt", body="Die Bahnstrecke nach Hamburg ist zu.\n",
                      tags=["Bahn"], category="Verkehr")
        for i in range(12):
            s.add("Bahnstreckenmeldung %d" % i, body="Bahnstrecke %d <script>x</script> & Co.\n" % i)

    def test_nu_html_checker(self):
        pages = {
            "results": self.search("Bahnstrecke").body,
            "results-page-2": self.search("Bahnstrecke", page=2).body,
            "no-results": self.search("Quantenkryptographie").body,
            "start": self.server.get("/search/").body,
            "only-excluded": self.search("-Bahn").body,
            "too-long": self.search("y" * 300, status=400).body,
            "bad-utf8": self.server.get("/search/%FF/").body,
            "article-related": self.server.get(self.a).body,
            "home": self.server.get("/").body,
        }
        vnu_check(self, pages)


if __name__ == "__main__":
    unittest.main()
