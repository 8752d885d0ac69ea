"""The scikit-learn peer of bench/embed.ts: TF-IDF (1-2-grams) + TruncatedSVD(384), single-threaded.

Reads {"fit": [...], "embed": [...], "passes": n} from the JSON file named on the command line and
prints one JSON object with its timings as the last stdout line.
"""
import json
import os
import statistics
import sys
import time

# BLAS reads these when numpy is first imported, so they are set before the imports below.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.decomposition import TruncatedSVD  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402

WARM_UP_TEXTS = 1000


def embed(vectorizer, svd, texts):
    return normalize(svd.transform(vectorizer.transform(texts)), norm="l2")


def main(path):
    with open(path, encoding="utf-8") as handle:
        corpus = json.load(handle)
    fit_texts, embed_texts, passes = corpus["fit"], corpus["embed"], corpus["passes"]

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.95, max_features=20000)
    svd = TruncatedSVD(384, random_state=42)
    svd.fit(vectorizer.fit_transform(fit_texts))
    fit_seconds = time.perf_counter() - started

    embed(vectorizer, svd, embed_texts[:WARM_UP_TEXTS])
    rates = []
    for _ in range(passes):
        started = time.perf_counter()
        vectors = embed(vectorizer, svd, embed_texts)
        rates.append(len(embed_texts) / (time.perf_counter() - started))
    assert vectors.shape == (len(embed_texts), 384)

    print(json.dumps({
        "library": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "fitSeconds": fit_seconds,
        "abstractsPerSecond": statistics.median(rates),
        "vocabulary": len(vectorizer.vocabulary_),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
