"""Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1, archive and article feeds),
sitemaps and robots.txt, checked with Debian's feedparser and an XML parser."""

import datetime
import email.utils
import html
import json
import unittest
import xml.etree.ElementTree as ET

from harness import BASE_URL, SiteTestCase
from test_pages import (HOSTILE_AUTHOR, HOSTILE_CATEGORY, HOSTILE_DATELINE, HOSTILE_TAG,
                        HOSTILE_TITLE)  # noqa: F401
from harness import Page, local_path

try:
    import feedparser
except ImportError:  # run with /usr/bin/python3 (Debian's python3-feedparser)
    feedparser = None

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

SITE = 'Bote & Kurier <Nachrichten>'


def parse_iso(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


class FeedsTest(SiteTestCase):
    SERVE = True
    SITE_TITLE = SITE

    @classmethod
    def populate(cls):
        s = cls.site
        cls.public = {}
        cls.public["Erste Meldung"] = s.add("Erste Meldung", tags=["politik"], category="welt",
                                            author="Erika Mustermann", dateline="BERLIN")
        cls.public["Zweite Meldung"] = s.add("Zweite Meldung", tags=["politik", "wirtschaft"],
                                             category="sport", author="Max Muster")
        cls.public[HOSTILE_TITLE] = s.add(HOSTILE_TITLE, body="Text & <b>Text</b>.\n",
                                          tags=["wirtschaft", HOSTILE_TAG], author=HOSTILE_AUTHOR,
                                          category=HOSTILE_CATEGORY, dateline=HOSTILE_DATELINE)
        cls.public["Roh-HTML"] = s.add("Roh-HTML", body="Vorn.\n\n<script>alert(1)</script>\n\n"
                                       "<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n")
        cls.old = "Alte Meldung"
        cls.public[cls.old] = s.add(cls.old, date="2025-01-15T12:00:00Z", tags=["politik"])
        cls.draft = s.add("Geheimer Entwurf", draft=True, tags=["politik"], author="Max Muster")
        cls.sched = s.add("Zukunftsmeldung", date="2099-01-01T10:00:00Z", tags=["politik"],
                          author="Max Muster")

    def setUp(self):
        super().setUp()
        if feedparser is None:
            self.fail("feedparser missing: run with /usr/bin/python3 (apt install python3-feedparser)")

    def fetch(self, path):
        r = self.get(path, status=200)
        return r

    def feedparse(self, path, version):
        r = self.fetch(path)
        ct = r.h("content-type", "")
        d = feedparser.parse(r.body, response_headers={"content-type": ct})
        self.assertFalse(d.bozo, "%s: feedparser bozo: %r (content-type %r)"
                         % (path, d.get("bozo_exception"), ct))
        self.assertEqual(d.version, version, path)
        return r, d

    def hidden_titles(self):
        return ("Geheimer Entwurf", "Zukunftsmeldung")

    # ---- RSS
    def test_rss_main_feed(self):
        r, d = self.feedparse("/feed/", "rss20")
        ct = r.h("content-type", "")
        self.assertTrue(ct.startswith(("application/rss+xml", "application/xml", "text/xml")), ct)
        self.assertEqual(d.feed.get("link", "").rstrip("/"), BASE_URL)
        self.assertEqual(len(d.entries), len(self.public))
        links = sorted(e.get("link") for e in d.entries)
        self.assertEqual(links, sorted(BASE_URL + p for p in self.public.values()))
        for e in d.entries:
            self.assertTrue(e.get("id"), "item without guid")
            self.assertIsNotNone(e.get("published_parsed"), "item without a parseable pubDate")

    def test_rss_exact_text(self):
        root = ET.fromstring(self.fetch("/feed/").body)
        self.assertEqual(root.tag, "rss")
        self.assertEqual(root.get("version"), "2.0")
        ch = root.find("channel")
        self.assertEqual(ch.findtext("title"), SITE)
        titles = [i.findtext("title") for i in ch.findall("item")]
        self.assertEqual(sorted(titles), sorted(self.public))
        for i in ch.findall("item"):
            email.utils.parsedate_to_datetime(i.findtext("pubDate"))  # RFC 822 date
        # newest first
        dates = [email.utils.parsedate_to_datetime(i.findtext("pubDate")) for i in ch.findall("item")]
        self.assertEqual(dates, sorted(dates, reverse=True))

    # ---- Atom
    def test_atom_feed(self):
        r, d = self.feedparse("/feed/atom/", "atom10")
        self.assertTrue(r.h("content-type", "").startswith(("application/atom+xml", "application/xml")))
        self.assertEqual(len(d.entries), len(self.public))
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, ATOM + "feed")
        self.assertTrue(root.findtext(ATOM + "id"))
        parse_iso(root.findtext(ATOM + "updated"))
        selfs = [l.get("href") for l in root.findall(ATOM + "link") if l.get("rel") == "self"]
        self.assertEqual(selfs, [BASE_URL + "/feed/atom/"])
        titles = []
        for e in root.findall(ATOM + "entry"):
            self.assertTrue(e.findtext(ATOM + "id"))
            parse_iso(e.findtext(ATOM + "updated"))
            t = e.find(ATOM + "title")
            titles.append(html.unescape(t.text) if t.get("type") == "html" else t.text)
            hrefs = [l.get("href") for l in e.findall(ATOM + "link")
                     if l.get("rel") in (None, "alternate")]
            self.assertTrue(hrefs and hrefs[0].startswith(BASE_URL + "/"), hrefs)
        self.assertEqual(sorted(titles), sorted(self.public))

    # ---- JSON Feed
    def test_json_feed(self):
        r = self.fetch("/feed/json/")
        ct = r.h("content-type", "")
        self.assertTrue(ct.startswith(("application/feed+json", "application/json")), ct)
        doc = json.loads(r.body.decode("utf-8"))
        self.assertEqual(doc.get("version"), "https://jsonfeed.org/version/1.1")
        self.assertEqual(doc.get("title"), SITE)
        self.assertIn(doc.get("home_page_url"), (BASE_URL + "/", BASE_URL))
        self.assertEqual(doc.get("feed_url"), BASE_URL + "/feed/json/")
        items = doc.get("items")
        self.assertIsInstance(items, list)
        self.assertEqual(sorted(i.get("title") for i in items), sorted(self.public))
        for i in items:
            self.assertIsInstance(i.get("id"), str)
            self.assertTrue(i["id"])
            self.assertTrue(i.get("url", "").startswith(BASE_URL + "/"), i)
            self.assertTrue(i.get("content_html") or i.get("content_text"), i)
            parse_iso(i.get("date_published"))
        self.assertEqual(sorted(i["url"] for i in items),
                         sorted(BASE_URL + p for p in self.public.values()))

    def test_hidden_articles_not_in_feeds(self):
        for path in ("/feed/", "/feed/atom/", "/feed/json/", "/tag/politik/feed/",
                     "/author/max-muster/feed/", "/sitemap.xml", "/news-sitemap.xml"):
            with self.subTest(path=path):
                body = self.fetch(path).body.decode("utf-8")
                for t in self.hidden_titles():
                    self.assertNotIn(t, body)
                self.assertNotIn(self.draft, body)
                self.assertNotIn(self.sched, body)

    def test_raw_html_not_in_feeds(self):
        """The Markdown article's raw <script>, onerror and javascript: are dropped."""
        bad = ("<script", "alert(1)", "onerror", "alert(2)", "javascript:")
        root = ET.fromstring(self.fetch("/feed/").body)
        items = [i for i in root.find("channel").findall("item") if i.findtext("title") == "Roh-HTML"]
        self.assertEqual(len(items), 1)
        rss = ET.tostring(items[0], encoding="unicode")
        root = ET.fromstring(self.fetch("/feed/atom/").body)
        entries = [e for e in root.findall(ATOM + "entry") if e.findtext(ATOM + "title") == "Roh-HTML"]
        self.assertEqual(len(entries), 1)
        atom = ET.tostring(entries[0], encoding="unicode")
        j = json.loads(self.fetch("/feed/json/").body)
        js = json.dumps([i for i in j["items"] if i.get("title") == "Roh-HTML"])
        for name, text in (("rss", rss), ("atom", atom), ("json", js)):
            with self.subTest(feed=name):
                text = html.unescape(text)
                self.assertIn("Vorn.", text)
                for needle in bad:
                    self.assertNotIn(needle, text)

    # ---- archive and article feeds
    def test_archive_feeds(self):
        cases = {
            "/tag/politik/feed/": {"Erste Meldung", "Zweite Meldung", self.old},
            "/tag/wirtschaft/feed/": {"Zweite Meldung", HOSTILE_TITLE},
            "/category/welt/feed/": {"Erste Meldung"},
            "/author/max-muster/feed/": {"Zweite Meldung"},
        }
        for path, want in cases.items():
            with self.subTest(path=path):
                r, d = self.feedparse(path, "rss20")
                root = ET.fromstring(r.body)
                got = {i.findtext("title") for i in root.find("channel").findall("item")}
                self.assertEqual(got, want)

    def test_article_feed_empty_channel(self):
        path = self.public["Erste Meldung"] + "feed/"
        r, d = self.feedparse(path, "rss20")
        self.assertEqual(d.entries, [])
        root = ET.fromstring(r.body)
        ch = root.find("channel")
        self.assertIsNotNone(ch)
        self.assertTrue(ch.findtext("title"))
        self.assertTrue(ch.findtext("link"))
        self.assertEqual(ch.findall("item"), [])

    def test_hostile_article_and_archive_feeds(self):
        """Feeds whose channel titles carry hostile article/tag/category/author names."""
        art = self.public[HOSTILE_TITLE]
        page = self.page(art)
        feeds = {"article": art + "feed/"}
        for h in page.hrefs():
            x = local_path(h) or ""
            for kind in ("tag", "category", "author"):
                if x.startswith("/%s/" % kind) and "xss" in x and x.count("/") == 3:
                    feeds[kind] = x + "feed/"
        self.assertEqual(sorted(feeds), ["article", "author", "category", "tag"], feeds)
        names = {"article": HOSTILE_TITLE, "tag": HOSTILE_TAG, "category": HOSTILE_CATEGORY,
                 "author": HOSTILE_AUTHOR}
        for kind, path in feeds.items():
            with self.subTest(path=path):
                r, d = self.feedparse(path, "rss20")
                ch = ET.fromstring(r.body).find("channel")
                self.assertIn(names[kind], ch.findtext("title"))
                items = [i.findtext("title") for i in ch.findall("item")]
                self.assertEqual(items, [] if kind == "article" else [HOSTILE_TITLE])

    def test_hostile_names_in_feed_entries(self):
        """Author, tags and category of the hostile article come out intact."""
        root = ET.fromstring(self.fetch("/feed/atom/").body)
        for e in root.findall(ATOM + "entry"):
            t = e.find(ATOM + "title")
            title = html.unescape(t.text) if t.get("type") == "html" else t.text
            if title == HOSTILE_TITLE:
                names = [a.findtext(ATOM + "name") for a in e.findall(ATOM + "author")]
                self.assertIn(HOSTILE_AUTHOR, names)
                break
        else:
            self.fail("hostile article not in the Atom feed")
        root = ET.fromstring(self.fetch("/feed/").body)
        item = [i for i in root.find("channel").findall("item")
                if i.findtext("title") == HOSTILE_TITLE][0]
        cats = [c.text for c in item.findall("category")]
        self.assertIn(HOSTILE_TAG, cats)
        j = json.loads(self.fetch("/feed/json/").body)
        item = [i for i in j["items"] if i.get("title") == HOSTILE_TITLE][0]
        self.assertIn(HOSTILE_AUTHOR, [a.get("name") for a in item.get("authors", [])])
        self.assertIn(HOSTILE_TAG, item.get("tags", []))
        p = Page(item.get("content_html", ""))
        self.assertEqual([a for t, a in p.elements if t in ("xss", "b")], [])

    def test_unknown_article_feed_404(self):
        self.assertEqual(self.server.get("/gibt-es-nicht/feed/").status, 404)
        self.assertEqual(self.server.get(self.draft + "feed/").status, 404)

    # ---- sitemaps, robots
    def test_sitemap(self):
        r = self.fetch("/sitemap.xml")
        self.assertIn("xml", r.h("content-type", ""))
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, SM + "urlset")
        locs = [u.findtext(SM + "loc") for u in root.findall(SM + "url")]
        for p in self.public.values():
            self.assertIn(BASE_URL + p, locs)
        self.assertIn(BASE_URL + "/", locs)
        for l in locs:
            self.assertTrue(l.startswith(BASE_URL + "/"), l)
        self.assertNotIn(BASE_URL + self.draft, locs)
        self.assertNotIn(BASE_URL + self.sched, locs)

    def test_news_sitemap(self):
        r = self.fetch("/news-sitemap.xml")
        self.assertIn("xml", r.h("content-type", ""))
        self.assertIn(b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"', r.body)
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, SM + "urlset")
        entries = {}
        for u in root.findall(SM + "url"):
            n = u.find(NEWS + "news")
            self.assertIsNotNone(n, "url without news:news")
            pub = n.find(NEWS + "publication")
            self.assertEqual(pub.findtext(NEWS + "name"), SITE)
            self.assertEqual(pub.findtext(NEWS + "language"), "de")
            parse_iso(n.findtext(NEWS + "publication_date"))
            entries[u.findtext(SM + "loc")] = n.findtext(NEWS + "title")
        recent = {t: p for t, p in self.public.items() if t != self.old}
        for t, p in recent.items():
            self.assertEqual(entries.get(BASE_URL + p), t)
        # Google News: only the last two days
        self.assertNotIn(BASE_URL + self.public[self.old], entries)

    def test_robots(self):
        r = self.fetch("/robots.txt")
        self.assertTrue(r.h("content-type", "").startswith("text/plain"))
        lines = [l.strip() for l in r.body.decode("utf-8").splitlines()]
        self.assertIn("Sitemap: " + BASE_URL + "/sitemap.xml", lines)
        self.assertIn("Sitemap: " + BASE_URL + "/news-sitemap.xml", lines)
        self.assertTrue(any(l.lower().startswith("user-agent:") for l in lines))


class FeedLimitsTest(SiteTestCase):
    """Feeds list the newest articles only (not the whole archive)."""
    SERVE = True

    @classmethod
    def populate(cls):
        recs = [{"title": "Massenartikel %03d" % i, "body": "x",
                 "date": (datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
                          + datetime.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                for i in range(60)]
        r = cls.site.import_jsonl(recs)
        if r.rc != 0:
            raise AssertionError("import failed: %r" % r)

    def test_feed_is_bounded_and_newest_first(self):
        if feedparser is None:
            self.fail("feedparser missing")
        r = self.get("/feed/", status=200)
        d = feedparser.parse(r.body, response_headers={"content-type": r.h("content-type", "")})
        self.assertFalse(d.bozo, d.get("bozo_exception"))
        n = len(d.entries)
        self.assertTrue(1 <= n < 60, "feed has %d items" % n)
        self.assertEqual(d.entries[0].title, "Massenartikel 059")
        j = json.loads(self.get("/feed/json/", status=200).body)
        self.assertEqual(j["items"][0]["title"], "Massenartikel 059")
        self.assertTrue(len(j["items"]) < 60)


if __name__ == "__main__":
    unittest.main()
