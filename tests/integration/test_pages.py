"""HTML pages of a running server: article page, home, archives, pagination,
visibility of drafts and scheduled articles, escaping of hostile text, raw
HTML in Markdown."""

import json
import re
import unittest
import urllib.parse

from harness import BASE_URL, SiteTestCase, Page, local_path, wait_for_status


def strip_tags(s):
    import html
    return html.unescape(re.sub(r"<[^>]*>", "", s))


def norm_ws(s):
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()


class ArticlePageTest(SiteTestCase):
    SERVE = True
    SITE_TITLE = "Der Testbote"

    @classmethod
    def populate(cls):
        s = cls.site
        cls.older = s.add("Frühere Meldung", date="2025-11-26T10:00:00Z", dateline="PARIS")
        cls.main = s.add("Gipfel in Berlin",
                         body="Erster Absatz mit Nachrichten.\n\nZweiter Absatz.\n",
                         dateline="BERLIN", date="2025-11-27T10:00:00Z",
                         tags=["politik", "wirtschaft"], category="welt",
                         author="Erika Mustermann")
        cls.newer = s.add("Spätere Meldung", date="2025-11-28T10:00:00Z", dateline="ROM")
        cls.spring = s.add("Frühlingsbericht", date="2025-03-14T10:00:00Z",
                           dateline="KYIV / LONDON", category="sport", author="Max Muster",
                           body="Aus zwei Städten.\n")

    def test_ok_html_utf8(self):
        r = self.get(self.main, status=200)
        ct = r.h("content-type", "")
        self.assertTrue(ct.startswith("text/html"), ct)
        self.assertIn("charset=utf-8", ct.lower().replace(" ", ""))
        self.assertIn("<!doctype html", r.text[:200].lower())

    def test_title_and_heading(self):
        p = self.page(self.main)
        self.assertIn("Gipfel in Berlin", p.title_text)
        self.assertIn("Gipfel in Berlin", p.text)
        self.assertTrue([1 for t, a in p.elements if t == "h1"], "no <h1> on the article page")

    def test_dateline_leads_first_paragraph(self):
        src = self.get(self.main, status=200).text
        m = re.search(r'<p\b[^>]*>\s*(<span\b[^>]*class="[^"]*\bdateline\b[^>]*>.*?)</p>', src, re.S)
        self.assertIsNotNone(m, "no <p> starting with <span class=\"dateline\"> in the page")
        para = norm_ws(strip_tags(m.group(1)))
        self.assertTrue(para.startswith("BERLIN (Der Testbote) – Erster Absatz mit Nachrichten."),
                        "first paragraph: %r" % para)
        # the dateline is in the first paragraph of the body, not the second
        self.assertNotIn("Zweiter Absatz", para)

    def test_multi_city_dateline(self):
        p = norm_ws(self.page(self.spring).text)
        self.assertIn("KYIV / LONDON (Der Testbote) – Aus zwei Städten.", p)

    def test_localized_date(self):
        self.assertIn("27. November 2025", norm_ws(self.page(self.main).text))
        self.assertIn("14. März 2025", norm_ws(self.page(self.spring).text))

    def test_date_iso_in_time_element(self):
        p = self.page(self.main)
        stamps = [a.get("datetime", "") for t, a in p.elements if t == "time"]
        self.assertTrue(any(s.startswith("2025-11-27") for s in stamps),
                        "no <time datetime=2025-11-27...>: %r" % stamps)

    def test_localized_date_issue_example(self):
        # The example of the issue: --date 2026-11-27T10:00:00Z shows "27. November 2026".
        import time
        if time.time() < 1795773600:
            self.skipTest("the machine's clock is before 2026-11-27T10:00:00Z")
        p = self.site.add("Beispiel aus dem Ticket", date="2026-11-27T10:00:00Z")
        wait_for_status(self.server, p, 200)
        self.assertIn("27. November 2026", norm_ws(self.page(p).text))

    def test_tags_category_author_links(self):
        p = self.page(self.main)
        paths = {local_path(h) for h in p.hrefs()}
        for want in ("/tag/politik/", "/tag/wirtschaft/", "/category/welt/",
                     "/author/erika-mustermann/"):
            self.assertIn(want, paths)
        anchors = {local_path(a.get("href", "")): norm_ws(t) for a, t in p.anchors}
        self.assertEqual(anchors.get("/tag/politik/"), "politik")
        self.assertIn("Erika Mustermann", anchors.get("/author/erika-mustermann/", ""))

    def test_prev_next_links(self):
        p = self.page(self.main)
        paths = {local_path(h) for h in p.hrefs()}
        self.assertIn(self.older, paths, "no link to the previous article")
        self.assertIn(self.newer, paths, "no link to the next article")
        text = norm_ws(p.text)
        self.assertIn("Frühere Meldung", text)
        self.assertIn("Spätere Meldung", text)

    def test_feed_links(self):
        p = self.page(self.main)
        paths = {local_path(h) for h in p.hrefs()}
        self.assertIn(self.main + "feed/", paths, "no link to the article's feed")
        self.assertIn("/feed/", paths, "no link to the main feed")
        rss = [l for l in p.link_rel("alternate") if l.get("type") == "application/rss+xml"]
        self.assertTrue(rss, 'no <link rel="alternate" type="application/rss+xml">')
        self.assertIn("/feed/", [local_path(l.get("href", "")) for l in rss])
        self.assertIn('<link rel="alternate" type="application/rss+xml"',
                      self.get(self.main).text)

    def test_canonical(self):
        p = self.page(self.main)
        can = p.link_rel("canonical")
        self.assertEqual(len(can), 1, can)
        self.assertEqual(can[0].get("href"), BASE_URL + self.main)
        self.assertIn('<link rel="canonical"', p.source)

    def test_open_graph(self):
        p = self.page(self.main)
        self.assertEqual(p.meta("og:type"), "article")
        self.assertEqual(p.meta("og:title"), "Gipfel in Berlin")
        self.assertEqual(p.meta("og:url"), BASE_URL + self.main)
        self.assertTrue(p.meta("og:description"), "no og:description")
        self.assertTrue(p.meta("description"), "no <meta name=description>")

    def test_jsonld(self):
        blocks = self.page(self.main).jsonld()
        self.assertTrue(blocks, "no <script type=application/ld+json>")
        docs = [json.loads(b) for b in blocks]
        news = [d for d in docs if isinstance(d, dict) and d.get("@type") == "NewsArticle"]
        self.assertTrue(news, "no NewsArticle in %r" % docs)
        d = news[0]
        self.assertIn("schema.org", str(d.get("@context")))
        self.assertEqual(d.get("headline"), "Gipfel in Berlin")
        self.assertTrue(str(d.get("datePublished", "")).startswith("2025-11-27"), d)

    def test_foreign_language_article_is_marked(self):
        p = self.site.add("Minister resigns", body="An English report.\n", lang="en",
                          date="2025-01-02T10:00:00Z")
        html = self.server.get(p).text
        self.assertRegex(html, r'<html lang="de"')
        self.assertRegex(html, r'<article class="article" lang="en"')
        d = [json.loads(b) for b in self.page(p).jsonld()][0]
        self.assertEqual(d.get("inLanguage"), "en")
        # an article in the site's own language carries no extra lang
        self.assertNotRegex(self.server.get(self.main).text, r'<article class="article" lang=')
        self.assertEqual(json.loads(self.site.must("post", "show", p.strip("/"), "--json").out)
                         ["lang"], "en")
        bad = self.site.cli("post", "edit", p.strip("/"), "--lang", "english!")
        self.assertEqual(bad.rc, 1, bad)

    def test_research_links(self):
        p = self.page(self.main)
        title = "Gipfel in Berlin"
        found = {}
        for h in p.hrefs():
            u = urllib.parse.urlsplit(h)
            qs = urllib.parse.parse_qs(u.query)
            if title not in [v for vals in qs.values() for v in vals]:
                continue
            self.assertNotIn(" ", h, "unencoded space in %r" % h)
            self.assertIn("Gipfel%20in%20Berlin", h.replace("+", "%20"))
            host = u.hostname or ""
            if host.startswith("news.google."):
                found["news"] = h
            elif "google." in host:
                found["google"] = h
            elif "bing." in host:
                found["bing"] = h
        self.assertEqual(sorted(found), ["bing", "google", "news"], found)

    def test_article_feed_is_empty_rss_channel(self):
        import xml.etree.ElementTree as ET
        r = self.get(self.main + "feed/", status=200)
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, "rss")
        ch = root.find("channel")
        self.assertIsNotNone(ch)
        self.assertEqual(ch.findall("item"), [])

    def test_slash_redirect(self):
        r = self.server.get(self.main.rstrip("/"))
        self.assertEqual(r.status, 301, r)
        self.assertEqual(local_path(r.h("location", "")), self.main)


class ListPagesTest(SiteTestCase):
    """Home, archives, drafts and scheduled articles hidden."""
    SERVE = True

    @classmethod
    def populate(cls):
        s = cls.site
        cls.a = s.add("Politik am Montag", date="2025-06-02T08:00:00Z", tags=["politik"],
                      category="inland", author="Erika Mustermann")
        cls.b = s.add("Wirtschaft am Dienstag", date="2025-06-03T08:00:00Z",
                      tags=["wirtschaft"], category="ausland", author="Max Muster")
        cls.c = s.add("Politik und Wirtschaft", date="2025-06-04T08:00:00Z",
                      tags=["politik", "wirtschaft"], category="inland", author="Max Muster")
        cls.draft = s.add("Geheimer Entwurf", draft=True, tags=["politik"], category="inland",
                          author="Erika Mustermann")
        cls.sched = s.add("Zukunftsmeldung", date="2099-01-01T10:00:00Z", tags=["politik"],
                          category="inland", author="Erika Mustermann")

    def titles(self, path):
        return norm_ws(self.page(path).text)

    def test_home_lists_newest_first(self):
        t = self.titles("/")
        ia, ib, ic = (t.find(x) for x in ("Politik am Montag", "Wirtschaft am Dienstag",
                                          "Politik und Wirtschaft"))
        self.assertTrue(min(ia, ib, ic) >= 0, t)
        self.assertTrue(ic < ib < ia, "home not ordered newest first")

    def test_home_links_and_autodiscovery(self):
        p = self.page("/")
        paths = {local_path(h) for h in p.hrefs()}
        for x in (self.a, self.b, self.c):
            self.assertIn(x, paths)
        types = {l.get("type"): local_path(l.get("href", "")) for l in p.link_rel("alternate")}
        self.assertEqual(types.get("application/rss+xml"), "/feed/")
        self.assertEqual(types.get("application/atom+xml"), "/feed/atom/")
        self.assertIn(types.get("application/feed+json") or types.get("application/json"),
                      ("/feed/json/",))
        can = p.link_rel("canonical")
        self.assertTrue(can and can[0].get("href") in (BASE_URL + "/", BASE_URL), can)
        self.assertEqual(p.meta("og:type"), "website")

    def test_draft_hidden(self):
        self.assertEqual(self.server.get(self.draft).status, 404)
        for path in ("/", "/tag/politik/", "/category/inland/", "/author/erika-mustermann/"):
            with self.subTest(path=path):
                p = self.page(path)
                self.assertNotIn("Geheimer Entwurf", p.text)
                self.assertNotIn(self.draft, {local_path(h) for h in p.hrefs()})

    def test_scheduled_hidden(self):
        self.assertEqual(self.server.get(self.sched).status, 404)
        for path in ("/", "/tag/politik/", "/category/inland/", "/author/erika-mustermann/"):
            with self.subTest(path=path):
                self.assertNotIn("Zukunftsmeldung", self.page(path).text)

    def test_hidden_article_not_neighbour(self):
        p = self.page(self.c)  # newest public: no 'next' may point at hidden ones
        paths = {local_path(h) for h in p.hrefs()}
        self.assertNotIn(self.draft, paths)
        self.assertNotIn(self.sched, paths)

    def test_tag_archive(self):
        t = self.titles("/tag/politik/")
        self.assertIn("Politik am Montag", t)
        self.assertIn("Politik und Wirtschaft", t)
        self.assertNotIn("Wirtschaft am Dienstag", t)

    def test_category_archive(self):
        t = self.titles("/category/ausland/")
        self.assertIn("Wirtschaft am Dienstag", t)
        self.assertNotIn("Politik am Montag", t)

    def test_author_archive(self):
        t = self.titles("/author/max-muster/")
        self.assertIn("Wirtschaft am Dienstag", t)
        self.assertIn("Politik und Wirtschaft", t)
        self.assertNotIn("Politik am Montag", t)
        self.assertIn("Max Muster", t)

    def test_archive_head_links(self):
        for path in ("/tag/politik/", "/category/inland/", "/author/max-muster/"):
            with self.subTest(path=path):
                p = self.page(path)
                can = p.link_rel("canonical")
                self.assertTrue(can and can[0].get("href") == BASE_URL + path, can)
                feeds = [local_path(l.get("href", "")) for l in p.link_rel("alternate")
                         if l.get("type") == "application/rss+xml"]
                self.assertIn(path + "feed/", feeds)

    def test_unknown_archives_404(self):
        for path in ("/tag/gibt-es-nicht/", "/category/gibt-es-nicht/", "/author/niemand/",
                     "/tag/gibt-es-nicht/feed/"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path).status, 404)

    def test_archive_slash_redirect(self):
        for path in ("/tag/politik", "/category/inland", "/author/max-muster", "/feed",
                     "/tag/politik/feed"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 301, r)
                self.assertEqual(local_path(r.h("location", "")), path + "/")

    def test_article_titled_like_a_route(self):
        # An article called "Feed" must not take over /feed/ (nor be unreachable).
        p = self.site.add("Feed")
        wait_for_status(self.server, p, 200)
        r = self.server.get("/feed/")
        self.assertEqual(r.status, 200)
        self.assertIn("xml", r.h("content-type", ""))


class PaginationTest(SiteTestCase):
    SERVE = True
    N = 25

    @classmethod
    def populate(cls):
        recs = [{"title": "Serienartikel %02d" % i, "body": "Teil %d." % i,
                 "slug": "serie-%02d" % i, "tags": ["serie"], "category": "fortsetzung",
                 "author": "Serien Autorin",
                 "date": "2025-05-%02dT09:00:00Z" % i} for i in range(1, cls.N + 1)]
        r = cls.site.import_jsonl(recs)
        if r.rc != 0:
            raise AssertionError("import failed: %r" % r)

    def visible(self, path):
        t = self.page(path).text
        return {i for i in range(1, self.N + 1) if "Serienartikel %02d" % i in t}

    def test_home_has_ten_newest(self):
        self.assertEqual(self.visible("/"), set(range(16, 26)))

    def test_page_two_and_three(self):
        self.assertEqual(self.visible("/page/2/"), set(range(6, 16)))
        self.assertEqual(self.visible("/page/3/"), set(range(1, 6)))

    def test_pagination_links(self):
        p = self.page("/")
        self.assertIn("/page/2/", {local_path(h) for h in p.hrefs()})
        p = self.page("/page/2/")
        paths = {local_path(h) for h in p.hrefs()}
        self.assertIn("/page/3/", paths)
        self.assertTrue("/" in paths or "/page/1/" in paths)

    def test_out_of_range_404(self):
        for path in ("/page/4/", "/page/999/", "/page/0/", "/page/abc/",
                     "/page/99999999999999999999999/", "/tag/serie/page/9/"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path).status, 404)

    def test_archive_pagination(self):
        t = self.page("/tag/serie/").text
        self.assertIn("Serienartikel 25", t)
        self.assertNotIn("Serienartikel 15", t)
        t = self.page("/tag/serie/page/2/").text
        self.assertIn("Serienartikel 15", t)
        self.assertNotIn("Serienartikel 16", t)
        self.assertIn("/tag/serie/page/2/", {local_path(h) for h in self.page("/tag/serie/").hrefs()})

    def test_category_and_author_pagination(self):
        for base in ("/category/fortsetzung/", "/author/serien-autorin/"):
            with self.subTest(base=base):
                self.assertEqual(self.visible(base), set(range(16, 26)))
                self.assertEqual(self.visible(base + "page/2/"), set(range(6, 16)))
                self.assertEqual(self.visible(base + "page/3/"), set(range(1, 6)))
                self.assertEqual(self.server.get(base + "page/4/").status, 404)
                self.assertIn(base + "page/2/", {local_path(h) for h in self.page(base).hrefs()})
                self.assertIn(b"Serienartikel 25", self.get(base + "feed/", status=200).body)


class EnglishSiteTest(SiteTestCase):
    SERVE = True
    LANG = "en"

    @classmethod
    def populate(cls):
        cls.path = cls.site.add("Summit in Berlin", date="2025-11-27T10:00:00Z", dateline="BERLIN")

    def test_english_page(self):
        p = self.page(self.path)
        self.assertTrue([a for t, a in p.elements if t == "html" and a.get("lang") == "en"])
        text = norm_ws(p.text)
        self.assertTrue("November 27, 2025" in text or "27 November 2025" in text, text[:2000])
        self.assertNotIn("Veröffentlicht", text, "German interface strings on an English site")

    def test_english_news_sitemap_language(self):
        import xml.etree.ElementTree as ET
        p = self.site.add("Fresh news")
        wait_for_status(self.server, p, 200)
        NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
        root = ET.fromstring(self.get("/news-sitemap.xml", status=200).body)
        langs = {e.text for e in root.iter(NEWS + "language")}
        self.assertEqual(langs, {"en"})


# Hostile text: every field an editor types, with markup, quotes, entities and
# the sequences that break out of CDATA, <title> and <script>.
HOSTILE_SITE = 'Bote <xss> & "Co" \'s'
HOSTILE_TITLE = 'Tom & Jerry <xss>"zitiert"</xss> \'einfach\' <script>alert("t")</script> ]]> </title> &amp;'
HOSTILE_AUTHOR = 'Eve <xss onmouseover="alert(1)"> & "Mallory"'
HOSTILE_CATEGORY = 'Kat <xss>&'
HOSTILE_TAG = '<xss>tag'
HOSTILE_DATELINE = 'BERLIN <xss> & "X"'


class EscapingTest(SiteTestCase):
    SERVE = True
    SITE_TITLE = HOSTILE_SITE

    @classmethod
    def populate(cls):
        cls.path = cls.site.add(HOSTILE_TITLE, body="Normaler Text & mehr.\n",
                                author=HOSTILE_AUTHOR, category=HOSTILE_CATEGORY,
                                tags=[HOSTILE_TAG, "harmlos"], dateline=HOSTILE_DATELINE)

    def assertSafe(self, p, where):
        self.assertEqual([a for t, a in p.elements if t == "xss"], [],
                         "%s: hostile markup became an element" % where)
        self.assertEqual(p.inline_scripts_with("alert"), [], "%s: script injected" % where)
        self.assertEqual(p.event_handler_attrs(), [], "%s: event handler attribute" % where)
        for b in p.jsonld():
            try:
                json.loads(b)
            except ValueError as e:
                self.fail("%s: JSON-LD does not parse (%s): %r" % (where, e, b[:300]))

    def archive_paths(self):
        p = self.page(self.path)
        paths = [local_path(h) for h in p.hrefs()]
        out = {}
        for kind in ("tag", "category", "author"):
            for x in paths:
                if x and x.startswith("/%s/" % kind) and x.count("/") == 3 and x != "/tag/harmlos/":
                    out[kind] = x
        return out

    def test_article_page(self):
        p = self.page(self.path)
        self.assertSafe(p, "article")
        self.assertIn(HOSTILE_TITLE, p.title_text)
        text = p.text
        for s in (HOSTILE_TITLE, HOSTILE_AUTHOR, HOSTILE_CATEGORY, HOSTILE_TAG):
            self.assertIn(s, text)
        self.assertIn(HOSTILE_DATELINE + " (" + HOSTILE_SITE + ") – Normaler Text & mehr.",
                      norm_ws(text))
        self.assertIn(HOSTILE_TITLE, p.meta("og:title") or "")
        news = [json.loads(b) for b in p.jsonld()]
        self.assertIn(HOSTILE_TITLE, [d.get("headline") for d in news if isinstance(d, dict)])

    def test_research_links_encode_title(self):
        p = self.page(self.path)
        n = 0
        for h in p.hrefs():
            for part in urllib.parse.urlsplit(h).query.split("&"):
                k, _, v = part.partition("=")
                if urllib.parse.unquote_plus(v) == HOSTILE_TITLE:
                    n += 1
                    self.assertRegex(v, r"^[A-Za-z0-9._~%+-]+$", "not percent-encoded: %r" % h)
        self.assertGreaterEqual(n, 3, "research links with the title as query: %d" % n)

    def test_home_and_404(self):
        for path in ("/", "/nichts-da/"):
            with self.subTest(path=path):
                r = self.server.get(path)
                p = Page(r.text)
                self.assertSafe(p, path)
                self.assertIn(HOSTILE_SITE, p.text)
        self.assertIn(HOSTILE_TITLE, self.page("/").text)

    def test_archives(self):
        paths = self.archive_paths()
        self.assertEqual(sorted(paths), ["author", "category", "tag"], paths)
        for kind, path in paths.items():
            with self.subTest(path=path):
                self.assertNotIn("<", path)
                self.assertNotIn('"', path)
                p = self.page(path)
                self.assertSafe(p, path)
                self.assertIn(HOSTILE_TITLE, p.text)
                self.assertIn({"tag": HOSTILE_TAG, "category": HOSTILE_CATEGORY,
                               "author": HOSTILE_AUTHOR}[kind], p.text)

    def test_slug_is_plain(self):
        self.assertRegex(self.path, r"^/[a-z0-9-]+/$")


class MarkdownRawHtmlTest(SiteTestCase):
    SERVE = True
    BODY = ("Vorspann mit **fett**.\n\n"
            "<script>alert(1)</script>\n\n"
            "Ein Bild: <img src=x onerror=alert(2)> im Satz.\n\n"
            "[Klick mich](javascript:alert(3))\n\n"
            '<div onclick="alert(4)">Kasten</div>\n\n'
            "Schluss.\n")

    @classmethod
    def populate(cls):
        cls.path = cls.site.add("Roh-HTML im Text", body=cls.BODY)

    def test_markdown_rendered(self):
        p = self.page(self.path)
        self.assertTrue([1 for t, a in p.elements if t in ("strong", "b")], "**fett** not rendered")
        self.assertIn("Schluss.", p.text)

    def test_no_active_content(self):
        for path in (self.path, "/"):
            with self.subTest(path=path):
                p = self.page(path)
                self.assertEqual(p.inline_scripts_with("alert"), [])
                self.assertEqual(p.event_handler_attrs(), [])
                self.assertEqual([a for t, a in p.elements if t == "img" and a.get("src") == "x"], [])
                self.assertEqual([h for h in p.hrefs() if h.strip().lower().startswith("javascript:")], [])

    def test_raw_html_dropped(self):
        src = self.get(self.path, status=200).text
        for needle in ("alert(1)", "onerror", "alert(2)", "onclick", "javascript:"):
            self.assertNotIn(needle, src, "raw HTML not dropped from the article page")


if __name__ == "__main__":
    unittest.main()
