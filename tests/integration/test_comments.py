"""Reader comments on the public site: the form, the moderation queue it
feeds, anti-abuse without telling a bot why, threads, feeds, escaping."""

import json
import re
import time
import urllib.parse

import feedparser

from harness import SiteTestCase, poll

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_ticket(html):
    m = re.search(r'name="ticket" value="([^"]+)"', html)
    return m.group(1) if m else None


class CommentsTest(SiteTestCase):
    SERVE = True

    @classmethod
    def populate(cls):
        cls.path = cls.site.add("Neue Radwege in der Innenstadt",
                                body="Die Stadt baut zwölf Kilometer neue Radwege.\n",
                                tags=["verkehr"])
        r = cls.site.must("token", "add", "--name", "mod", "--role", "moderator")
        cls.token = r.last_line

    def post_comment(self, fields, path=None, wait_fill=True):
        path = path or self.path
        if "ticket" not in fields:
            fields = dict(fields, ticket=form_ticket(self.server.get(path).text))
        body = urllib.parse.urlencode(fields).encode()
        return self.server.request("POST", path + "comment/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        h = {"Authorization": "Bearer " + self.token}
        if data:
            h["Content-Type"] = "application/json"
        r = self.server.request(method, path, headers=h, body=data)
        return r, (json.loads(r.body) if r.body else None)

    def find(self, status, text):
        _, doc = self.api("GET", "/api/v1/comments?status=%s&limit=100" % status)
        for c in doc["comments"]:
            if c["text"] == text:
                return c
        return None

    def test_form_is_there_and_works_without_js(self):
        html = self.server.get(self.path).text
        self.assertIn('action="%scomment/"' % self.path, html)
        self.assertIsNotNone(form_ticket(html))
        self.assertIn('name="website"', html)  # the honeypot
        self.assertIn("moderiert", html)        # the policy
        self.assertIn('id="comment-pending"', html)

    def test_pending_then_approved_shows_on_page_and_feeds(self):
        text = "Endlich! Der Abschnitt am Bahnhof war bisher gefährlich."
        r = self.post_comment({"name": "Jana", "email": "jana@example.org", "text": text})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.h("location"), self.path + "#comment-pending")
        self.assertNotIn(text, self.server.get(self.path).text)  # pending: shown to nobody
        c = self.find("pending", text)
        self.assertIsNotNone(c, "the comment is not in the queue")
        self.assertIn(c["verdict"], ("ok", "offtopic", "demeaning", "spam"))
        r, doc = self.api("PATCH", "/api/v1/comments/%d" % c["id"], {"status": "approved"})
        self.assertEqual(r.status, 200, r.body)
        poll(lambda: text in self.server.get(self.path).text, what="approved comment on the page")
        for suffix, kind in (("feed/", "rss"), ("feed/atom/", "atom")):
            d = feedparser.parse(self.server.get(self.path + suffix).body)
            self.assertFalse(d.bozo, d.get("bozo_exception"))
            self.assertTrue(any(text in (e.get("summary") or "") or text in str(e.get("content"))
                                for e in d.entries), kind)
        j = json.loads(self.server.get(self.path + "feed/json/").body)
        self.assertEqual(j["version"], "https://jsonfeed.org/version/1.1")
        self.assertTrue(any(text in i["content_html"] for i in j["items"]))
        self.assertNotIn("jana@example.org", self.server.get(self.path).text)
        # the count on the lists that show the article
        poll(lambda: re.search(r'#comments">\d+ Kommentare<', self.server.get("/").text),
             what="comment count on the home page")
        self.assertRegex(self.server.get("/tag/verkehr/").text, r'#comments">\d+ Kommentare<')

    def test_threaded_reply_and_depth_limit(self):
        texts = ["Erster Ebene Radweg Kommentar", "Zweite Ebene Radweg Antwort",
                 "Dritte Ebene Radweg Antwort"]
        parent = None
        ids = []
        for t in texts:
            f = {"name": "Tom", "text": t}
            if parent:
                f["parent"] = str(parent)
            self.assertEqual(self.post_comment(f).status, 303)
            c = self.find("pending", t)
            self.api("PATCH", "/api/v1/comments/%d" % c["id"], {"status": "approved"})
            parent = c["id"]
            ids.append(c["id"])
        poll(lambda: texts[2] in self.server.get(self.path).text, what="thread on the page")
        html = self.server.get(self.path).text
        self.assertLess(html.index(texts[0]), html.index(texts[1]))
        self.assertIn('class="comment-replies"', html)
        r = self.post_comment({"name": "Tom", "text": "vierte Ebene", "parent": str(ids[2])})
        self.assertEqual(r.status, 400)

    def test_validation_keeps_the_text(self):
        r = self.post_comment({"name": "", "text": "Mein wichtiger Gedanke zum Radweg"})
        self.assertEqual(r.status, 400)
        self.assertIn("Mein wichtiger Gedanke zum Radweg", r.text)
        r = self.post_comment({"name": "Eva", "email": "kein-at", "text": "Text"})
        self.assertEqual(r.status, 400)
        r = self.post_comment({"name": "Eva", "text": "x" * 5001})
        self.assertEqual(r.status, 413)
        r = self.post_comment({"name": "Eva", "text": "Steuer\x07zeichen"})
        self.assertEqual(r.status, 400)

    def test_bots_get_no_hint(self):
        honey = "Billige Uhren hier kaufen honeypot"
        r = self.post_comment({"name": "Bot", "text": honey, "website": "http://spam.example"})
        self.assertEqual(r.status, 303)
        self.assertIsNotNone(self.find("spam", honey))
        forged = "Ticket fehlt bei diesem Kommentar"
        r = self.post_comment({"name": "Bot", "text": forged, "ticket": "123.abc"})
        self.assertEqual(r.status, 303)
        self.assertIsNotNone(self.find("spam", forged))

    def test_xss_is_inert(self):
        r = self.post_comment({"name": XSS, "text": XSS + " https://example.org/\"onmouseover=x"})
        self.assertEqual(r.status, 303)
        c = self.find("pending", XSS + " https://example.org/\"onmouseover=x")
        self.api("PATCH", "/api/v1/comments/%d" % c["id"], {"status": "approved"})
        poll(lambda: "onmouseover" in self.server.get(self.path).text, what="xss comment shown")
        html = self.server.get(self.path).text
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)
        self.assertIn('rel="nofollow ugc noopener"', html)
        for suffix in ("feed/", "feed/atom/"):
            body = self.server.get(self.path + suffix).text
            self.assertNotIn("<script>", body)
            self.assertFalse(feedparser.parse(body).bozo)

    def test_unknown_article_and_get(self):
        r = self.server.request("POST", "/gibt-es-nicht/comment/", body=b"name=a&text=b",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 404)
        self.assertEqual(self.server.get(self.path + "comment/").status, 404)


class CommentFillTimeTest(SiteTestCase):
    SERVE = True

    @classmethod
    def populate(cls):
        cls.site.configure(comment_min_seconds=600)
        cls.path = cls.site.add("Schnelle Antworten")
        cls.token = cls.site.must("token", "add", "--name", "m", "--role", "moderator").last_line

    def test_too_fast_is_spam_without_a_hint(self):
        html = self.server.get(self.path).text
        body = urllib.parse.urlencode({"name": "Schnell", "text": "Blitzkommentar zur Antwort",
                                       "ticket": form_ticket(html)}).encode()
        r = self.server.request("POST", self.path + "comment/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 303)
        r = self.server.request("GET", "/api/v1/comments?status=spam",
                                headers={"Authorization": "Bearer " + self.token})
        doc = json.loads(r.body)
        self.assertTrue(any(c["text"] == "Blitzkommentar zur Antwort" for c in doc["comments"]))


class CommentRateTest(SiteTestCase):
    SERVE = False

    def test_rate_limit_429(self):
        # a low limit in the site's settings, then a server
        self.site.configure(comment_rate_per_minute=2)
        from harness import Server
        path = self.site.add("Ratenbegrenzung im Test")
        srv = Server(self.site)
        try:
            codes = []
            for i in range(4):
                ticket = form_ticket(srv.get(path).text)
                body = urllib.parse.urlencode({"name": "R", "text": "Kommentar %d" % i,
                                               "ticket": ticket}).encode()
                codes.append(srv.request("POST", path + "comment/", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"}).status)
            self.assertEqual(codes[:2], [303, 303])
            self.assertIn(429, codes[2:])
        finally:
            self.assertEqual(srv.stop(), 0)
