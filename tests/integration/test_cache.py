"""A running server and the page cache: CLI changes become visible, scheduled
articles appear at their time, conditional requests (ETag / Last-Modified)."""

import email.utils
import time
import unittest

from harness import (DEADLINE, Page, SiteTestCase, http_date, iso_utc, local_path,
                     poll, wait_for_status)


def has(server, path, needle):
    r = server.get(path)
    return r.status == 200 and needle in r.body.decode("utf-8", "replace")


def needle_for(path, title, url):
    """sitemap.xml lists addresses, everything else shows titles."""
    return url if path == "/sitemap.xml" else title


def lacks(server, path, needle):
    r = server.get(path)
    return r.status in (200, 404) and needle not in r.body.decode("utf-8", "replace")


class LiveChangesTest(SiteTestCase):
    """Each CLI change shows on the running (caching) server without a restart."""
    SERVE = True
    SERVE_ARGS = ()
    WATCHED = ("/", "/feed/", "/feed/atom/", "/feed/json/", "/sitemap.xml", "/news-sitemap.xml",
               "/tag/live/", "/tag/live/feed/")

    @classmethod
    def populate(cls):
        cls.site.add("Grundbestand", tags=["live"])

    def warm(self, *paths):
        for p in paths or self.WATCHED:
            self.server.get(p)
            self.server.get(p, headers={"Accept-Encoding": "gzip"})

    def wait_has(self, path, needle):
        poll(lambda: has(self.server, path, needle), what="%r on %s" % (needle, path))

    def wait_lacks(self, path, needle):
        poll(lambda: lacks(self.server, path, needle), what="%r gone from %s" % (needle, path))

    def test_add_visible(self):
        self.warm()
        p = self.site.add("Brandneue Meldung", tags=["live"])
        wait_for_status(self.server, p, 200)
        for path in self.WATCHED:
            with self.subTest(path=path):
                self.wait_has(path, needle_for(path, "Brandneue Meldung", p))
        # the gzip variant is refreshed too
        z = self.server.get("/", headers={"Accept-Encoding": "gzip"})
        self.assertIn("Brandneue Meldung", z.text)

    def test_edit_title_visible(self):
        p = self.site.add("Titel vorher", tags=["live"])
        wait_for_status(self.server, p, 200)
        self.warm(p, *self.WATCHED)
        self.site.must("post", "edit", p.strip("/"), "--title", "Titel nachher")
        poll(lambda: "Titel nachher" in Page(self.server.get(p).text).title_text,
             what="new title on the article page")
        for path in ("/", "/feed/", "/feed/json/", "/tag/live/"):
            with self.subTest(path=path):
                self.wait_has(path, "Titel nachher")
                self.wait_lacks(path, "Titel vorher")

    def test_edit_body_visible(self):
        p = self.site.add("Text wird geändert", body="Alte Fassung.\n")
        wait_for_status(self.server, p, 200)
        self.warm(p)
        self.site.must("post", "edit", p.strip("/"), stdin="Neue Fassung.\n")
        self.wait_has(p, "Neue Fassung.")
        self.wait_lacks(p, "Alte Fassung.")

    def test_unpublish_and_publish(self):
        p = self.site.add("Kommt und geht", tags=["live"])
        wait_for_status(self.server, p, 200)
        self.warm(p, *self.WATCHED)
        self.site.must("post", "unpublish", p.strip("/"))
        wait_for_status(self.server, p, 404)
        for path in self.WATCHED:
            with self.subTest(path=path):
                self.wait_lacks(path, needle_for(path, "Kommt und geht", p))
        self.assertEqual(self.server.get(p + "feed/").status, 404)
        self.site.must("post", "publish", p.strip("/"))
        wait_for_status(self.server, p, 200)
        self.wait_has("/", "Kommt und geht")

    def test_delete(self):
        p = self.site.add("Wird entfernt", tags=["live"])
        wait_for_status(self.server, p, 200)
        self.warm(p, p + "feed/", *self.WATCHED)
        self.site.must("post", "delete", p.strip("/"))
        wait_for_status(self.server, p, 404)
        wait_for_status(self.server, p + "feed/", 404)
        for path in self.WATCHED:
            with self.subTest(path=path):
                self.wait_lacks(path, needle_for(path, "Wird entfernt", p))

    def test_draft_then_publish(self):
        p = self.site.add("Erst Entwurf", draft=True)
        self.warm(p, "/")
        self.assertEqual(self.server.get(p).status, 404)
        self.site.must("post", "publish", p.strip("/"))
        wait_for_status(self.server, p, 200)
        self.wait_has("/", "Erst Entwurf")

    def test_neighbour_links_follow(self):
        now = int(time.time())
        old = self.site.add("Nachbar alt", date=iso_utc(now - 7200))
        wait_for_status(self.server, old, 200)
        self.warm(old)
        new = self.site.add("Nachbar neu", date=iso_utc(now - 3600))
        poll(lambda: new in {local_path(h) for h in Page(self.server.get(old).text).hrefs()},
             what="link to the new neighbour on the older article")

    def test_import_visible(self):
        self.warm("/")
        r = self.site.import_jsonl([{"title": "Importiert live %d" % i, "body": "x"} for i in range(3)])
        self.assertEqual(r.rc, 0, r)
        for i in range(3):
            self.wait_has("/", "Importiert live %d" % i)


class ListMembershipTest(SiteTestCase):
    """A cached archive page that never showed an article still changes when
    the article leaves (or joins) that archive: the lists shift."""
    SERVE = True

    @classmethod
    def populate(cls):
        # 12 articles, newest last: page 1 shows 10, page 2 the two oldest.
        cls.paths = [cls.site.add("Serienfolge %02d" % i, tags=["serie"],
                                  date="2026-01-%02dT10:00:00Z" % (i + 1))
                     for i in range(12)]

    def test_leaving_a_tag_shifts_later_pages(self):
        page2 = self.server.get("/tag/serie/page/2/")
        self.assertEqual(page2.status, 200)
        self.assertIn("Serienfolge 01", page2.text)
        self.assertIn("Serienfolge 00", page2.text)
        # the newest article (on page 1 only) leaves the tag
        self.site.must("post", "edit", self.paths[-1].strip("/"), "--tags", "anderes")
        poll(lambda: self.server.get("/tag/serie/page/2/").status == 404
             or "Serienfolge 01" not in self.server.get("/tag/serie/page/2/").text,
             what="page 2 of the tag archive shifting")
        r = self.server.get("/tag/serie/page/2/")
        self.assertEqual(r.status, 200)
        self.assertIn("Serienfolge 00", r.text)
        self.assertNotIn("Serienfolge 01", r.text)
        self.assertIn("Serienfolge 01", self.server.get("/tag/serie/").text)
        # and it shows up in its new tag's feed, which was cached before
        self.assertEqual(self.server.get("/tag/anderes/feed/").status, 200)

    def test_deleting_from_a_category_shifts_pages(self):
        extra = [self.site.add("Kategoriefolge %02d" % i, category="Rubrik",
                               date="2026-02-%02dT10:00:00Z" % (i + 1)) for i in range(11)]
        r = self.server.get("/category/rubrik/page/2/")
        self.assertIn("Kategoriefolge 00", r.text)
        self.site.must("post", "delete", extra[-1].strip("/"))
        poll(lambda: self.server.get("/category/rubrik/page/2/").status == 404,
             what="page 2 of the category disappearing")


class LiveChangesNoCacheTest(LiveChangesTest):
    """The same with --no-cache."""
    SERVE_ARGS = ("--no-cache",)


class ScheduledTest(SiteTestCase):
    SERVE = True
    LEAD = 4  # seconds in the future

    def test_scheduled_appears_at_its_time(self):
        at = int(time.time()) + self.LEAD
        p = self.site.add("Punktlandung", date=iso_utc(at), tags=["plan"])
        # before its time: hidden everywhere (and the caches warmed with that)
        for path in ("/", "/feed/", "/feed/json/", "/tag/plan/", "/sitemap.xml"):
            r = self.server.get(path)
            self.assertNotIn("Punktlandung", r.body.decode("utf-8", "replace"), path)
        self.assertEqual(self.server.get(p).status, 404)
        self.assertLess(time.time(), at, "test too slow: the 'before' checks ran after the time")
        # at its time: visible, without any further CLI call
        poll(lambda: self.server.get(p).status == 200, deadline=self.LEAD + DEADLINE,
             interval=0.2, what="the scheduled article to appear")
        self.assertGreaterEqual(time.time(), at - 1, "appeared before its time")
        for path in ("/", "/feed/", "/feed/json/", "/tag/plan/"):
            with self.subTest(path=path):
                poll(lambda: has(self.server, path, "Punktlandung"),
                     what="the scheduled article on %s" % path)

    def test_future_date_by_edit_hides(self):
        p = self.site.add("Wird verschoben")
        wait_for_status(self.server, p, 200)
        self.site.must("post", "edit", p.strip("/"), "--date", "2099-06-01T10:00:00Z")
        wait_for_status(self.server, p, 404)
        poll(lambda: lacks(self.server, "/", "Wird verschoben"), what="hidden on /")


class ConditionalTest(SiteTestCase):
    SERVE = True

    @classmethod
    def populate(cls):
        cls.path = cls.site.add("Bedingte Anfrage", tags=["bedingt"],
                                body="Ein Absatz. " * 100 + "\n")
        cls.other = cls.site.add("Wird bearbeitet", body="Version eins.\n")
        cls.paths = ("/", cls.path, "/feed/", "/feed/atom/", "/feed/json/", "/sitemap.xml",
                     "/news-sitemap.xml", "/tag/bedingt/", "/tag/bedingt/feed/", cls.path + "feed/")

    def test_if_none_match_304(self):
        for path in self.paths:
            with self.subTest(path=path):
                r = self.get(path, status=200)
                etag = r.h("etag")
                self.assertTrue(etag, "no ETag on %s" % path)
                self.assertRegex(etag, r'^(W/)?"[^"]+"$')
                c = self.server.get(path, headers={"If-None-Match": etag})
                self.assertEqual(c.status, 304, c)
                self.assertEqual(c.body, b"")
                self.assertEqual(c.h("etag"), etag)
                self.assertEqual(self.server.get(path).h("etag"), etag, "ETag not stable")

    def test_if_none_match_list_and_mismatch(self):
        etag = self.get(self.path, status=200).h("etag")
        c = self.server.get(self.path, headers={"If-None-Match": '"nope", %s' % etag})
        self.assertEqual(c.status, 304)
        c = self.server.get(self.path, headers={"If-None-Match": '"nope"'})
        self.assertEqual(c.status, 200)
        self.assertTrue(c.body)

    def test_if_none_match_weak_comparison(self):
        etag = self.get(self.path, status=200).h("etag")
        other = etag[2:] if etag.startswith("W/") else "W/" + etag
        c = self.server.get(self.path, headers={"If-None-Match": other})
        self.assertEqual(c.status, 304, "If-None-Match uses weak comparison (RFC 9110 13.1.2)")

    def test_head_if_none_match(self):
        etag = self.get("/", status=200).h("etag")
        c = self.server.head("/", headers={"If-None-Match": etag})
        self.assertEqual(c.status, 304)

    def test_gzip_etag_304(self):
        z = self.get(self.path, headers={"Accept-Encoding": "gzip"}, status=200)
        self.assertEqual(z.h("content-encoding"), "gzip")
        c = self.server.get(self.path, headers={"Accept-Encoding": "gzip",
                                                "If-None-Match": z.h("etag")})
        self.assertEqual(c.status, 304, c)
        self.assertEqual(c.h("etag"), z.h("etag"))

    def test_if_modified_since(self):
        for path in (self.path, "/", "/feed/"):
            with self.subTest(path=path):
                r = self.get(path, status=200)
                lm = r.h("last-modified")
                self.assertTrue(lm, "no Last-Modified on %s" % path)
                ts = email.utils.parsedate_to_datetime(lm).timestamp()
                self.assertLessEqual(ts, time.time() + 2)
                c = self.server.get(path, headers={"If-Modified-Since": lm})
                self.assertEqual(c.status, 304, c)
                self.assertEqual(c.body, b"")
                earlier = http_date(ts - 3600)
                self.assertEqual(self.server.get(path, headers={"If-Modified-Since": earlier}).status, 200)
                old = "Mon, 01 Jan 1990 00:00:00 GMT"
                self.assertEqual(self.server.get(path, headers={"If-Modified-Since": old}).status, 200)
                bad = "gestern nachmittag"
                self.assertEqual(self.server.get(path, headers={"If-Modified-Since": bad}).status, 200)

    def test_if_none_match_wins_over_if_modified_since(self):
        lm = self.get(self.path, status=200).h("last-modified")
        self.assertTrue(lm)
        c = self.server.get(self.path, headers={"If-None-Match": '"nope"', "If-Modified-Since": lm})
        self.assertEqual(c.status, 200, "If-None-Match must take precedence (RFC 9110 13.2.2)")

    def test_etag_changes_after_edit(self):
        r = self.get(self.other, status=200)
        etag = r.h("etag")
        self.site.must("post", "edit", self.other.strip("/"), stdin="Version zwei.\n")
        c = poll(lambda: (lambda x: x if x.status == 200 else None)(
            self.server.get(self.other, headers={"If-None-Match": etag})),
            what="old ETag to stop matching after an edit")
        self.assertIn("Version zwei.", c.text)
        self.assertNotEqual(c.h("etag"), etag)


if __name__ == "__main__":
    unittest.main()
