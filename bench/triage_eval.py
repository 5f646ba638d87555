#!/usr/bin/python3
"""bench/triage_eval.py — scores of `depesche moderation score` against a labelled set.

    triage_eval.py report LABELLED PREDICTIONS [--title T]
        LABELLED: JSON Lines with "label" (and "lang"); PREDICTIONS: the output of
        `depesche moderation score` for the same lines, in the same order.
        Prints per-label precision, recall and F1, accuracy and the confusion
        matrix, separately for the lines with an even index (0, 2, 4, ...: the
        half the rules were tuned on), the odd ones (held out), and the lines
        marked "part": "fresh" (written after the rules were frozen, never
        tuned on; they are not in either half).
    triage_eval.py split LABELLED even|odd
        Writes that half of LABELLED (without the fresh part) to stdout, to
        train the learned part.
    triage_eval.py speed N COMMENT_BYTES BODY_BYTES
        Writes N lines of synthetic input (German prose, fixed seed) for timing.

Standard library only.
"""
import json
import random
import sys

LABELS = ["ok", "offtopic", "demeaning", "spam"]


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def table(pairs, title):
    """pairs: list of (true, predicted)."""
    n = len(pairs)
    out = [f"{title} — {n} comments"]
    if not n:
        return "\n".join(out + ["  (none)"])
    conf = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in pairs:
        conf[t][p if p in LABELS else "ok"] += 1
    out.append(f"  {'label':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    f1s = []
    for lab in LABELS:
        tp = conf[lab][lab]
        pred = sum(conf[t][lab] for t in LABELS)
        sup = sum(conf[lab].values())
        prec = tp / pred if pred else 0.0
        rec = tp / sup if sup else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        out.append(f"  {lab:<10} {prec:>9.3f} {rec:>7.3f} {f1:>6.3f} {sup:>8}")
    acc = sum(conf[l][l] for l in LABELS) / n
    out.append(f"  accuracy {acc:.3f}   macro-F1 {sum(f1s) / len(f1s):.3f}")
    out.append("  confusion (rows: true label, columns: verdict)")
    out.append("  " + " " * 10 + "".join(f"{l:>10}" for l in LABELS))
    for t in LABELS:
        out.append(f"  {t:<10}" + "".join(f"{conf[t][p]:>10}" for p in LABELS))
    return "\n".join(out)


def report(labelled, predictions, title):
    gold = load(labelled)
    pred = load(predictions)
    if len(gold) != len(pred):
        sys.exit(f"triage_eval: {len(gold)} labelled lines but {len(pred)} predictions")
    bad = [i for i, p in enumerate(pred) if "verdict" not in p]
    if bad:
        sys.exit(f"triage_eval: no verdict on line(s) {', '.join(str(i + 1) for i in bad[:5])}")
    pairs = [(g["label"], p["verdict"]) for g, p in zip(gold, pred)]
    fresh = [g.get("part") == "fresh" for g in gold]
    print(f"== {title}")
    print(table([x for i, x in enumerate(pairs) if i % 2 == 0 and not fresh[i]], "tuned half (even lines)"))
    print()
    print(table([x for i, x in enumerate(pairs) if i % 2 == 1 and not fresh[i]], "held-out half (odd lines)"))
    print()
    if any(fresh):
        print(table([x for i, x in enumerate(pairs) if fresh[i]],
                    "fresh part (written after the rules were frozen)"))
        print()
    print(table(pairs, "all"))
    for lang in sorted({g.get("lang", "?") for g in gold}):
        sub = [x for g, x in zip(gold, pairs) if g.get("lang", "?") == lang]
        held = [x for i, (g, x) in enumerate(zip(gold, pairs))
                if g.get("lang", "?") == lang and i % 2 == 1 and not fresh[i]]
        fr = [x for i, (g, x) in enumerate(zip(gold, pairs)) if g.get("lang", "?") == lang and fresh[i]]
        acc = sum(t == p for t, p in sub) / len(sub)
        hacc = sum(t == p for t, p in held) / len(held) if held else 0.0
        facc = sum(t == p for t, p in fr) / len(fr) if fr else 0.0
        print(f"  lang {lang}: accuracy {acc:.3f} on {len(sub)} (held-out half {hacc:.3f} on {len(held)},"
              f" fresh {facc:.3f} on {len(fr)})")
    errors = [(i, g, p) for i, (g, p) in enumerate(zip(gold, pred)) if g["label"] != p["verdict"]]
    if errors and "--errors" in sys.argv:
        print("  misclassified:")
        for i, g, p in errors:
            part = "fresh" if fresh[i] else "tuned" if i % 2 == 0 else "held-out"
            print(f"   line {i + 1} ({part}) [{g['label']} -> {p['verdict']} {p['score']}] {g['comment'][:90]}")
            for r in p.get("reasons", [])[:3]:
                print(f"       - {r}")
    print()


WORDS = ("Stadt Rat Verwaltung Haushalt Förderung Wärmepumpe Verkehr Straße Schule Lehrer "
         "Klinik Geburtsstation Bürger Initiative Regierung Minister Kosten Millionen Euro Jahr "
         "Entscheidung Mehrheit Kritik Einzelhandel Innenstadt Parkhaus Bus Bahn Ticket Preis "
         "Hitze Sommer Wasser Gesundheit Ärzte Senioren Kinder Familien Mieter Eigentümer").split()
GLUE = "die der das und mit für von auf bei nach über sich nicht auch noch wird werden hat haben ist sind".split()


def prose(rng, size):
    out = []
    n = 0
    while n < size:
        sent = [rng.choice(WORDS if i % 2 == 0 else GLUE) for i in range(rng.randint(8, 16))]
        s = " ".join(sent).capitalize() + ". "
        out.append(s)
        n += len(s.encode())
    return "".join(out)[:size]


def speed(n, cbytes, bbytes):
    rng = random.Random(7)
    body = prose(rng, bbytes)
    for i in range(n):
        comment = prose(rng, cbytes)
        print(json.dumps({"title": "Förderung für Wärmepumpen wird neu geregelt", "body": body,
                          "comment": comment}, ensure_ascii=False))


def main():
    args = [a for a in sys.argv[1:] if a != "--errors"]
    if len(args) >= 3 and args[0] == "report":
        title = args[args.index("--title") + 1] if "--title" in args else "triage"
        report(args[1], args[2], title)
    elif len(args) == 3 and args[0] == "split" and args[2] in ("even", "odd"):
        part = 0 if args[2] == "even" else 1
        with open(args[1], encoding="utf-8") as f:
            for i, line in enumerate(l for l in f if l.strip()):
                if i % 2 == part and json.loads(line).get("part") != "fresh":
                    sys.stdout.write(line)
    elif len(args) == 4 and args[0] == "speed":
        speed(int(args[1]), int(args[2]), int(args[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
