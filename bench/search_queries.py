#!/usr/bin/python3
"""Query lists for bench/search.sh, drawn from the generated articles themselves.

Reads JSON Lines from bench/gen_articles.py (a sample of the first --sample articles is
enough: the generator's vocabulary is the same throughout), counts in how many articles each
word occurs, and writes three files of search paths ("/search/<words>/", percent-encoded,
one a line, shuffled) into DIR, and beside each the same queries as typed (NAME.q, for
`depesche search bench`):

    one.txt     one word each: every word of the vocabulary of at least 3 letters, the most
                common and the rarest alike (up to --count)
    two.txt     two words each, both from one article: its common + rare, common + common and
                rare + rare words
    phrase.txt  a phrase in quotes each: two or three words that stand together in a body
                (function words included: "in der", "Lage in der")
    gap.txt     a phrase in quotes each made of words that stand together in a body once
                the words of one or two letters are left out ("Lage der" from "Lage in
                der"): mostly phrases no article has, of common words — the most work

and prints one line per class with how many queries it has and the range of document
frequencies (share of articles that contain the word) of its words.

    search_queries.py [--sample 3000] [--count 400] [--seed 7] ARTICLES.jsonl DIR
"""
import argparse
import collections
import json
import os
import random
import re
import urllib.parse

WORD = re.compile(r"[^\W\d_]{3,}")
ANY_WORD = re.compile(r"[^\W\d_]+")


def words_of(text):
    return WORD.findall(text)


def path(q):
    return "/search/" + urllib.parse.quote(q, safe="") + "/"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=3000)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("articles")
    ap.add_argument("dir")
    a = ap.parse_args()
    rng = random.Random(a.seed)

    df = collections.Counter()
    spelling = {}          # lower case -> the first spelling seen
    bodies = []
    n = 0
    with open(a.articles, encoding="utf-8") as f:
        for line in f:
            if n >= a.sample:
                break
            rec = json.loads(line)
            n += 1
            text = rec["title"] + "\n" + re.sub(r"\]\([^)]*\)", "]", rec["body"])
            seen = set()
            for w in ANY_WORD.findall(text):
                k = w.lower()
                spelling.setdefault(k, w)
                seen.add(k)
            df.update(seen)
            if len(bodies) < 500:
                bodies.append(re.sub(r"\]\([^)]*\)", "]", rec["body"]))
    if not df:
        raise SystemExit("search_queries.py: no words in %s" % a.articles)

    by_df = sorted((k for k in df if len(k) >= 3), key=lambda k: (df[k], k))

    # the rarest and the most common words both in, whatever the vocabulary's size
    one = by_df[:a.count // 2] + by_df[-(a.count - a.count // 2):] if len(by_df) > a.count \
        else list(by_df)

    # two words of one article (as a reader would pair them): its common + rare, common +
    # common and rare + rare words (by their share of all articles)
    pairs = set()
    tries = 0
    while len(pairs) < a.count and tries < a.count * 50:
        tries += 1
        ws = sorted({w.lower() for w in words_of(rng.choice(bodies))}, key=lambda k: (df[k], k))
        if len(ws) < 6:
            continue
        lo, hi = ws[:len(ws) // 3], ws[-(len(ws) // 3):]
        x, y = ((hi, lo), (hi, hi), (lo, lo))[tries % 3]
        p = (rng.choice(x), rng.choice(y))
        if p[0] != p[1]:
            pairs.add(p)

    def phrases_of(split):
        out = set()
        tries = 0
        while len(out) < a.count and tries < a.count * 50:
            tries += 1
            sentence = rng.choice(re.split(r"[.!?„“:;,()*#>\n-]+", rng.choice(bodies)))
            ws = split(sentence)
            k = rng.choice((2, 3))
            if len(ws) < k:
                continue
            i = rng.randrange(len(ws) - k + 1)
            out.add(" ".join(ws[i:i + k]))
        return out

    phrases = phrases_of(ANY_WORD.findall)
    gap = phrases_of(words_of) - phrases

    os.makedirs(a.dir, exist_ok=True)
    classes = (
        ("one", [spelling[k] for k in one], [[k] for k in one]),
        ("two", ["%s %s" % (spelling[x], spelling[y]) for x, y in pairs], [list(p) for p in pairs]),
        ("phrase", ['"%s"' % p for p in phrases], [[w.lower() for w in p.split()] for p in phrases]),
        ("gap", ['"%s"' % p for p in gap], [[w.lower() for w in p.split()] for p in gap]),
    )
    for name, queries, keys in classes:
        queries.sort()     # sets have no order of their own: the same lists on every run
        keys.sort()
        order = list(range(len(queries)))
        rng.shuffle(order)
        with open(os.path.join(a.dir, name + ".txt"), "w", encoding="utf-8") as f:
            for i in order:
                f.write(path(queries[i]) + "\n")
        with open(os.path.join(a.dir, name + ".q"), "w", encoding="utf-8") as f:
            for i in order:
                f.write(queries[i] + "\n")
        shares = sorted(min(df[k] for k in ks) / n for ks in keys if all(k in df for k in ks))
        lo = shares[0] if shares else 0
        hi = shares[-1] if shares else 0
        med = shares[len(shares) // 2] if shares else 0
        print("%s: %d queries; rarest word per query in %.1f%%..%.1f%% of articles (median %.1f%%)"
              % (name, len(queries), lo * 100, hi * 100, med * 100))
    print("vocabulary: %d words of 3+ letters in a sample of %d articles" % (len(df), n))


if __name__ == "__main__":
    main()
