#!/usr/bin/env python3
"""CoNLL03 sentences written back as plain text, to measure extraction on text as users write it.

  conll_plain.py write SPLIT_FILE OUT_PREFIX     # OUT_PREFIX.jsonl ({"id", "text"}) and OUT_PREFIX-gold.jsonl
  conll_plain.py score EXTRACT_OUT GOLD          # micro P/R/F1 of (type, text) pairs, CoNLL03's four classes

The tokens are joined as running text is written: no space before , . ; : ! ? ) % and clitics
('s, n't, ...), none after ( and $, quotes closed against the word they follow. Gold entities keep
their surface string in that text. Scoring matches (label, text) pairs per sentence as multisets.
"""
import collections
import json
import sys

NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "%", "'s", "'S", "n't", "'re", "'m", "'ll", "'ve", "'d"}
LABELS = {"Organization": "organisation", "Human": "person", "GeographicLocation": "location", "MiscellaneousEntity": "misc"}


def sentences(path):
    cur = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                yield cur
            cur = []
            continue
        word, tag = line.split("\t")
        cur.append((word, tag))
    if cur:
        yield cur


def plain(tokens):
    text, starts, quoted, prev = "", [], False, None
    for w, _ in tokens:
        glue = prev is not None and (w in NO_SPACE_BEFORE or prev in ("(", "$") or (w == '"' and quoted) or (prev == '"' and quoted))
        if w == '"':
            quoted = not quoted
        if prev is not None and not glue:
            text += " "
        starts.append(len(text))
        text += w
        prev = w
    return text, starts


def entities(tokens, text, starts):
    out, kind, a, b = [], None, 0, 0
    for k, (w, t) in enumerate(tokens + [("", "O")]):
        if t.startswith("B-") or t == "O" or (t.startswith("I-") and t[2:] != kind):
            if kind:
                out.append([kind, text[a:b]])
            kind = None
        if t.startswith("B-") or (t.startswith("I-") and kind is None):
            kind, a, b = t[2:], starts[k], starts[k] + len(w)
        elif t.startswith("I-"):
            b = starts[k] + len(w)
    return out


def write(split, prefix):
    with open(prefix + ".jsonl", "w", encoding="utf-8") as texts, open(prefix + "-gold.jsonl", "w", encoding="utf-8") as gold:
        for i, tokens in enumerate(sentences(split)):
            text, starts = plain(tokens)
            texts.write(json.dumps({"id": str(i), "text": text}) + "\n")
            gold.write(json.dumps({"id": str(i), "entities": entities(tokens, text, starts)}) + "\n")


def score(predicted, gold_file):
    gold = {}
    for line in open(gold_file, encoding="utf-8"):
        g = json.loads(line)
        gold[g["id"]] = collections.Counter(tuple(e) for e in g["entities"])
    tp = n = 0
    for line in open(predicted, encoding="utf-8"):
        p = json.loads(line)
        pairs = collections.Counter((LABELS.get(e["type"], e["type"]), e["text"]) for e in p["entities"])
        tp += sum((pairs & gold[p["id"]]).values())
        n += sum(pairs.values())
    g = sum(sum(c.values()) for c in gold.values())
    p, r = tp / max(n, 1), tp / max(g, 1)
    print(json.dumps({"predicted": n, "gold": g, "tp": tp, "P": round(100 * p, 2), "R": round(100 * r, 2),
                      "F1": round(200 * p * r / max(p + r, 1e-9), 2)}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
