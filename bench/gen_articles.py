#!/usr/bin/python3
"""Generate N realistic German-ish news articles as JSON Lines for `depesche post import`.

Each line: {"title","slug","body","dateline","tags","category","author","date"}.
Bodies are Markdown of ~5,000 characters (paragraphs, sub-headings, now and then a
list, a quote, a link, emphasis); dates are spread over the past year, never in the
future (a future date would schedule the article). Deterministic for a given --seed
and --now. Fast: ~100,000 articles (~0.5 GB) in well under a minute.

    gen_articles.py -n 1000 [--seed 1] [--now 2026-11-27T12:00:00Z] [--paths FILE]
                    [--words templates|zipf] > articles.jsonl

--paths FILE also writes the article paths ("/slug/"), one a line, in generation order.

--words templates (the default) builds bodies from a few hundred sentence templates: a
vocabulary of ~400 words, each in a large share of all articles — the hardest case for a
search index, as every word is common. --words zipf writes text from a lexicon like a
newspaper's: German function words at their usual share of running text (~45 %), and
60,000 made-up content words (nouns capitalised, inflected, a fifth of them compounds
of other nouns) whose frequencies follow Zipf's law (1 / (rank + 20)); each article has a topic (one of
400, themselves Zipf-distributed) whose 60 words it uses far more often than the rest,
so words co-occur as they do in news. A hundred thousand articles then hold a few
hundred thousand distinct word forms.
"""
import argparse
import datetime as dt
import itertools
import json
import random
import sys

SUBJECTS = [
    "Die Bundesregierung", "Der Stadtrat", "Die Opposition", "Der Bürgermeister",
    "Die Gewerkschaft Verdi", "Der Verband der Automobilindustrie", "Die Europäische Kommission",
    "Das Landgericht", "Die Polizei", "Die Feuerwehr", "Ein Sprecher des Ministeriums",
    "Die Deutsche Bahn", "Der Bundestag", "Die Landesregierung", "Die Wirtschaftsweisen",
    "Das Statistische Bundesamt", "Die Kultusministerkonferenz", "Der Deutsche Wetterdienst",
    "Die Umweltverbände", "Der Vorstand", "Die Staatsanwaltschaft", "Die Bürgerinitiative",
    "Der Aufsichtsrat", "Die Forscherinnen und Forscher", "Das Robert-Koch-Institut",
    "Die Verbraucherzentrale", "Der Trainer", "Die Intendantin", "Der Betriebsrat",
    "Die Handwerkskammer", "Die Bundesagentur für Arbeit", "Die Vereinten Nationen",
]
VERBS = [
    "kündigte am Dienstag an", "erklärte am Rande einer Pressekonferenz", "warnte eindringlich davor",
    "forderte in einem offenen Brief", "bestätigte auf Nachfrage", "wies Berichte zurück",
    "legte am Morgen einen Entwurf vor", "sprach sich dafür aus", "räumte Fehler ein",
    "stellte am Mittwoch klar", "kritisierte scharf", "begrüßte ausdrücklich",
    "hält weiter daran fest", "verwies auf frühere Zusagen", "zeigte sich überrascht",
    "will bis zum Herbst prüfen", "rechnet mit Verzögerungen", "beharrt darauf",
]
OBJECTS = [
    "dass die Reform der Grundsteuer verschoben werden muss",
    "dass die Mieten in den Großstädten weiter steigen",
    "dass der Ausbau der Windkraft schneller vorankommen soll",
    "dass die Schulen mehr Geld für die Digitalisierung erhalten",
    "dass die Verhandlungen über den Tarifvertrag fortgesetzt werden",
    "dass der Haushalt für das kommende Jahr nachgebessert wird",
    "dass die Zahl der Asylanträge leicht zurückgegangen ist",
    "dass der Nahverkehr im ländlichen Raum gestärkt werden soll",
    "dass die Ermittlungen noch Wochen dauern könnten",
    "dass die Brücke frühestens im Frühjahr wieder freigegeben wird",
    "dass die Inflation im Euroraum nachlässt",
    "dass die Krankenhausreform nicht ohne die Länder umgesetzt werden kann",
    "dass die Ergebnisse der Studie überprüft werden müssen",
    "dass die Energiepreise im Winter stabil bleiben dürften",
    "dass das Festival trotz der Kürzungen stattfinden wird",
    "dass die Mannschaft in der Rückrunde angreifen will",
    "dass die Sanierung des Rathauses teurer wird als geplant",
    "dass der Fachkräftemangel die Betriebe zunehmend belastet",
]
SAY = ["betonte", "sagte", "erklärte", "versicherte", "argumentierte", "meinte"]
ADVERBIALS = [
    "Nach Angaben von Beobachtern", "Im Gespräch mit dieser Zeitung", "Bereits im vergangenen Jahr",
    "Trotz heftiger Kritik", "Nach monatelangem Streit", "Zur Überraschung vieler Fachleute",
    "Wie aus Regierungskreisen verlautete", "Am späten Abend", "Unterdessen", "Zugleich",
    "Nach übereinstimmenden Medienberichten", "Im Vergleich zum Vorjahr", "Auf Drängen der Länder",
]
CLAUSES = [
    "die Lage bleibe angespannt", "man sei zu Gesprächen bereit", "die Zahlen seien eindeutig",
    "es gebe keinen Grund zur Sorge", "die Kosten müssten fair verteilt werden",
    "eine Entscheidung falle frühestens im Januar", "die Betroffenen würden rechtzeitig informiert",
    "der Zeitplan sei nicht zu halten", "man prüfe alle Optionen", "die Kritik sei berechtigt",
    "es handle sich um einen Einzelfall", "die Gespräche verliefen konstruktiv",
]
NUMBERS = [
    "rund 2,4 Milliarden Euro", "mehr als 12.000 Menschen", "knapp 18 Prozent", "etwa 350 Beschäftigte",
    "über 40 Gemeinden", "fast 900 Kilometer", "gut ein Drittel der Befragten", "1,7 Prozentpunkte",
    "mehrere Hundert Haushalte", "zwei von drei Unternehmen", "rund 60.000 Tonnen",
]
EXTRA = [
    "Die Entscheidung betrifft {n}.", "Insgesamt geht es um {n}.", "Betroffen sind demnach {n}.",
    "Laut einer aktuellen Umfrage unterstützen {n} den Vorschlag.", "Das entspricht {n}.",
    "Im ersten Halbjahr waren es {n}.",
]
QUOTES = [
    "„Wir können uns keine weiteren Verzögerungen leisten“, sagte {p}.",
    "„Das ist ein wichtiger Schritt, aber längst nicht das Ende“, betonte {p}.",
    "„Niemand hat behauptet, dass es einfach wird“, sagte {p} am Rande der Sitzung.",
    "„Die Menschen erwarten zu Recht Antworten“, erklärte {p}.",
    "„Wir werden das sehr genau beobachten“, kündigte {p} an.",
    "„Ich halte das für einen Fehler“, sagte {p} dem Sender.",
]
PEOPLE = [
    "Ministerin Katharina Böhm", "Staatssekretär Jürgen Weiß", "die Ökonomin Dr. Sabine Krüger",
    "Bürgermeister Thomas Schäfer", "Fraktionschefin Ayşe Demir", "der Sprecher Lukas Hoffmann",
    "Professorin Miriam Große", "Gewerkschafter Peter Sommer", "die Anwältin Jana Özdemir",
]
HEADINGS = [
    "Hintergrund", "Reaktionen", "Wie es weitergeht", "Kritik aus der Opposition", "Die Zahlen",
    "Was Betroffene wissen müssen", "Ein Blick zurück", "Streit um die Kosten", "Ausblick",
]
LINKS = [
    ("Bericht des Bundesrechnungshofs", "https://example.org/berichte/2026"),
    ("Pressemitteilung", "https://example.org/presse"),
    ("Studie im Wortlaut", "https://example.org/studie.pdf"),
    ("Ratsbeschluss", "https://example.org/rat/beschluss"),
]
TITLE_A = [
    "Streit um", "Neue Pläne für", "Einigung bei", "Kritik an", "Rekord bei", "Wende bei",
    "Millionen für", "Zweifel an", "Durchbruch bei", "Protest gegen", "Warten auf", "Chaos bei",
]
TITLE_B = [
    "Grundsteuer", "Nahverkehr", "Krankenhausreform", "Wohnungsbau", "Windkraft",
    "Schuldigitalisierung", "Tarifvertrag", "Brückensanierung", "Klimageld",
    "Rentenreform", "Haushalt", "Stadtbibliothek", "Bürgergeld", "Autobahn A7",
    "Hafenausbau", "Wärmepumpen", "Deutschlandticket", "Landtagswahl",
]
TITLE_C = [
    "", "", "", " in Hamburg", " in Sachsen", " im Ruhrgebiet", ": Was jetzt gilt",
    ": Die wichtigsten Fragen", " – Länder uneins", " vor Gericht",
]
DATELINES = [
    "BERLIN", "HAMBURG", "MÜNCHEN", "KÖLN", "FRANKFURT", "LEIPZIG", "DRESDEN", "STUTTGART",
    "BRÜSSEL", "WIEN", "ZÜRICH", "KYIV / LONDON", "PARIS", "WASHINGTON", "HANNOVER", "DÜSSELDORF",
]
CATEGORIES = ["Politik", "Wirtschaft", "Kultur", "Sport", "Wissenschaft", "Panorama", "Meinung", "Lokales"]
TAGS = [
    "Bundestag", "Energie", "Klima", "Verkehr", "Bildung", "Gesundheit", "Wohnen", "Arbeit",
    "Europa", "Ukraine", "Haushalt", "Justiz", "Polizei", "Digitalisierung", "Rente", "Steuern",
    "Landtag", "Kommunen", "Forschung", "Fußball", "Theater", "Musik", "Umwelt", "Migration",
    "Industrie", "Handel", "Landwirtschaft", "Wetter", "Bahn", "Wahlen",
]
AUTHORS = [
    "Anna Schmidt", "Jonas Becker", "Lea Wagner", "Felix Neumann", "Sophie Richter", "Max Krause",
    "Hannah Wolf", "Paul Zimmermann", "Emilia Hartmann", "Ben Lange", "Clara Fuchs", "Elias Vogel",
]

TRANS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue",
                       "ş": "s", "–": "-"})


def slugify(s):
    s = s.translate(TRANS).lower()
    out, dash = [], False
    for ch in s:
        if ("a" <= ch <= "z") or ("0" <= ch <= "9"):
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def make_sentence_pool(rng, n):
    pool = []
    for _ in range(n):
        k = rng.random()
        if k < 0.35:
            s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)}, {rng.choice(OBJECTS)}."
        elif k < 0.6:
            s = f"{rng.choice(ADVERBIALS)} hieß es, {rng.choice(CLAUSES)}."
        elif k < 0.75:
            s = rng.choice(EXTRA).format(n=rng.choice(NUMBERS))
        elif k < 0.88:
            s = rng.choice(QUOTES).format(p=rng.choice(PEOPLE))
        else:
            subj = rng.choice(SUBJECTS)
            s = f"{rng.choice(ADVERBIALS)} {rng.choice(SAY)} {subj[0].lower() + subj[1:]} zudem, {rng.choice(CLAUSES)}."
        s = s[0].upper() + s[1:]
        if rng.random() < 0.06:  # a little emphasis now and then
            words = s.split(" ")
            i = rng.randrange(len(words))
            if words[i].isalpha():
                words[i] = f"**{words[i]}**" if rng.random() < 0.5 else f"*{words[i]}*"
            s = " ".join(words)
        pool.append(s)
    return pool


def make_body(rng, pool, target):
    parts, size, para_no = [], 0, 0
    choice, randint, random_ = rng.choice, rng.randint, rng.random
    while size < target:
        para_no += 1
        r = random_()
        if para_no > 2 and r < 0.12:
            block = "## " + choice(HEADINGS)
        elif para_no > 2 and r < 0.18:
            block = "\n".join("- " + choice(pool) for _ in range(randint(3, 5)))
        elif para_no > 2 and r < 0.22:
            block = "> " + choice(QUOTES).format(p=choice(PEOPLE))
        else:
            block = " ".join(choice(pool) for _ in range(randint(3, 6)))
            if random_() < 0.15:
                text, url = choice(LINKS)
                block += f" Mehr dazu im [{text}]({url})."
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts)


# ---- --words zipf: a newspaper-like lexicon ----

# The commonest German function words with their approximate share (per mille) of running
# text in news (rounded from published frequency lists).
FUNCTION_WORDS = [
    ("der", 32), ("die", 31), ("und", 24), ("in", 17), ("den", 12), ("von", 10), ("zu", 9),
    ("das", 9), ("mit", 8), ("sich", 7), ("des", 7), ("auf", 7), ("für", 7), ("ist", 7),
    ("im", 6), ("dem", 6), ("nicht", 6), ("ein", 5), ("eine", 5), ("als", 5), ("auch", 5),
    ("es", 5), ("an", 5), ("werden", 4), ("aus", 4), ("er", 4), ("hat", 4), ("dass", 4),
    ("sie", 4), ("nach", 4), ("wird", 4), ("bei", 3), ("einer", 3), ("um", 3), ("am", 3),
    ("sind", 3), ("noch", 3), ("wie", 3), ("einem", 3), ("über", 3), ("einen", 3), ("so", 2),
    ("zum", 2), ("war", 2), ("haben", 2), ("nur", 2), ("oder", 2), ("aber", 2), ("vor", 2),
    ("zur", 2), ("bis", 2), ("mehr", 2), ("durch", 2), ("man", 2), ("sein", 2), ("wurde", 2),
    ("sei", 2), ("hatte", 1), ("kann", 1), ("gegen", 1), ("vom", 1), ("können", 1), ("schon", 1),
    ("wenn", 1), ("habe", 1), ("seine", 1), ("ihre", 1), ("dann", 1), ("unter", 1), ("wir", 1),
    ("soll", 1), ("ich", 1), ("eines", 1), ("jahr", 1), ("zwei", 1), ("diese", 1), ("dieser", 1),
    ("wieder", 1), ("keine", 1), ("seiner", 1), ("worden", 1), ("will", 1), ("zwischen", 1),
    ("immer", 1), ("was", 1), ("sagte", 1), ("gibt", 1), ("alle", 1), ("seit", 1), ("muss", 1),
]
ONSETS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z", "br", "dr",
          "fl", "fr", "gr", "kl", "kr", "pl", "pr", "sch", "schl", "schw", "st", "str", "tr", "sp",
          "ch", "pf", "gl", "bl", "kn", "zw", "j", "v", ""]
VOWELS = ["a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "ie", "eu", "a", "e", "i", "o", "u",
          "e", "a"]
CODAS = ["", "", "n", "r", "l", "s", "t", "ch", "ck", "ng", "nd", "nk", "rt", "st", "ft", "lt",
         "m", "rn", "tz", "ss", "rg", "lz", "x"]
NOUN_ENDINGS = ["", "", "", "e", "er", "el", "ung", "heit", "keit", "schaft", "nis", "tum", "ling",
                "ion", "ät", "ik", "ur", "ei"]
VERB_ENDINGS = ["en", "t", "te", "ten", "st", "e"]
ADJ_ENDINGS = ["e", "en", "er", "es", "em", ""]
INFLECT = ["", "", "", "", "e", "en", "n", "s", "es", "er", "ern"]


class Lexicon:
    """Function words and made-up content words with Zipf frequencies; topics of words."""

    def __init__(self, rng, size=60000, topics=400, topic_words=60):
        seen = {w for w, _ in FUNCTION_WORDS}
        nouns, others, simple = [], [], []
        while len(nouns) + len(others) < size:
            kind = rng.random()
            stem = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                           for _ in range(rng.choice((1, 1, 2, 2, 2))))
            if len(stem) < 3:
                continue
            if kind < 0.55:
                if simple and rng.random() < 0.2:      # a compound of two simple nouns
                    a, b = rng.choice(simple), rng.choice(simple)
                    w = a + rng.choice(("", "", "s", "en", "e")) + b.lower()
                else:
                    w = (stem + rng.choice(NOUN_ENDINGS)).capitalize()
                    if w.lower() not in seen:
                        simple.append(w)
                if w.lower() not in seen:
                    seen.add(w.lower())
                    nouns.append(w)
            else:
                w = stem + rng.choice(VERB_ENDINGS if kind < 0.8 else ADJ_ENDINGS)
                if w not in seen:
                    seen.add(w)
                    others.append(w)
        words = nouns + others
        rng.shuffle(words)
        self.content = words
        self.nouns = set(nouns)
        # Zipf (with Mandelbrot's offset, so no content word is as common as "der"): the
        # word of rank r is used in proportion to 1 / (r + 20)
        self.content_cum = list(itertools.accumulate(1.0 / (r + 20) for r in range(1, len(words) + 1)))
        self.function = [w for w, _ in FUNCTION_WORDS]
        self.function_cum = list(itertools.accumulate(f for _, f in FUNCTION_WORDS))
        self.topics = [rng.sample(words[:20000], topic_words) for _ in range(topics)]
        self.topic_cum = list(itertools.accumulate(1.0 / r for r in range(1, topics + 1)))

    def topic(self, rng):
        return rng.choices(self.topics, cum_weights=self.topic_cum)[0]

    def words(self, rng, topic, n):
        """n words of running text about topic: function words ~45 %, topic words ~15 %."""
        kinds = rng.choices((0, 1, 2), weights=(45, 15, 40), k=n)
        fn = iter(rng.choices(self.function, cum_weights=self.function_cum, k=n))
        ct = iter(rng.choices(self.content, cum_weights=self.content_cum, k=n))
        out = []
        for k in kinds:
            if k == 0:
                out.append(next(fn))
            else:
                w = rng.choice(topic) if k == 1 else next(ct)
                if w in self.nouns:
                    w += rng.choice(INFLECT) if w[-1] not in "aeiouäöü" else ""
                out.append(w)
        return out


def zipf_sentence(rng, lex, topic):
    ws = lex.words(rng, topic, rng.randint(7, 22))
    ws[0] = ws[0][0].upper() + ws[0][1:]
    if len(ws) > 12 and rng.random() < 0.5:
        ws[rng.randrange(4, len(ws) - 3)] += ","
    return " ".join(ws) + rng.choice((".", ".", ".", ".", "?", ":"))


def make_zipf_body(rng, lex, topic, target):
    parts, size, para_no = [], 0, 0
    while size < target:
        para_no += 1
        r = rng.random()
        if para_no > 2 and r < 0.1:
            block = "## " + " ".join(lex.words(rng, topic, rng.randint(2, 4))).capitalize()
        elif para_no > 2 and r < 0.15:
            block = "\n".join("- " + zipf_sentence(rng, lex, topic) for _ in range(rng.randint(3, 5)))
        else:
            block = " ".join(zipf_sentence(rng, lex, topic) for _ in range(rng.randint(3, 6)))
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="number of articles (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--now", default=None, help="ISO time taken as now (default: current UTC time)")
    ap.add_argument("--chars", type=int, default=5000, help="approximate body length (default 5000)")
    ap.add_argument("--paths", default=None, help="also write the article paths here, one a line")
    ap.add_argument("--words", choices=("templates", "zipf"), default="templates",
                    help="sentence templates (default) or a Zipf-distributed lexicon")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    if a.now:
        now = dt.datetime.fromisoformat(a.now.replace("Z", "+00:00"))
    else:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    newest = now - dt.timedelta(hours=1)          # never in the future, even with a skewed clock
    span = 365 * 24 * 3600 - 3600
    pool = make_sentence_pool(rng, 4000) if a.words == "templates" else None
    lex = Lexicon(random.Random(a.seed + 1)) if a.words == "zipf" else None
    width = max(4, len(str(a.n)))

    out = sys.stdout
    paths = open(a.paths, "w", encoding="utf-8") if a.paths else None
    dumps = json.dumps
    buf = []
    for i in range(1, a.n + 1):
        if lex:
            topic = lex.topic(rng)
            title = " ".join(lex.words(rng, topic, rng.randint(4, 9)))
            title = title[0].upper() + title[1:]
        else:
            title = rng.choice(TITLE_A) + " " + rng.choice(TITLE_B) + rng.choice(TITLE_C)
        slug = f"{slugify(title)}-{i:0{width}d}"
        date = (newest - dt.timedelta(seconds=rng.randrange(span))).strftime("%Y-%m-%dT%H:%M:%SZ")
        target = a.chars + rng.randint(-a.chars // 10, a.chars // 10)
        rec = {
            "title": title,
            "slug": slug,
            "body": make_zipf_body(rng, lex, topic, target) if lex else make_body(rng, pool, target),
            "dateline": rng.choice(DATELINES),
            "tags": [w.capitalize() for w in rng.sample([t for t in topic if len(t) <= 30][:12],
                                                        rng.randint(2, 4))] if lex
                    else rng.sample(TAGS, rng.randint(2, 4)),
            "category": rng.choice(CATEGORIES),
            "author": rng.choice(AUTHORS),
            "date": date,
        }
        buf.append(dumps(rec, ensure_ascii=False))
        if paths:
            paths.write(f"/{slug}/\n")
        if len(buf) >= 1000:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")
    out.flush()
    if paths:
        paths.close()


if __name__ == "__main__":
    main()
