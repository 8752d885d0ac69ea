"""The standard peer for bench:train: TF-IDF (1–2-grams) + LinearSVC on exactly the ids of the split file.

usage: train_peer_sklearn.py SPLIT_JSON DATA_JSONL_GZ   → prints one JSON line {model, accuracy, macroF1, trainSeconds}
"""
import gzip
import json
import re
import resource
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC


def text_of(row):
    # The same text the pipeline embeds: title, ". ", abstract, whitespace collapsed.
    squash = lambda s: re.sub(r"\s+", " ", s).strip()
    return f"{squash(row['title'])}. {squash(row['abstract'])}"


def main():
    split = json.load(open(sys.argv[1]))
    wanted = set(split["train"]) | set(split["test"])
    rows = {}
    with gzip.open(sys.argv[2], "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in wanted:
                rows[row["id"]] = row
    train = [rows[i] for i in split["train"]]
    test = [rows[i] for i in split["test"]]
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    x_train = vectorizer.fit_transform([text_of(r) for r in train])
    model = LinearSVC().fit(x_train, [r["primary_category"] for r in train])
    train_seconds = time.perf_counter() - started
    predicted = model.predict(vectorizer.transform([text_of(r) for r in test]))
    truth = [r["primary_category"] for r in test]
    print(json.dumps({
        "model": "TF-IDF 1-2-grams + LinearSVC",
        "accuracy": accuracy_score(truth, predicted),
        "macroF1": f1_score(truth, predicted, average="macro"),
        "trainSeconds": train_seconds,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
