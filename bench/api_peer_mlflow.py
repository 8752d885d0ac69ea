"""The peer of bench:api: a scikit-learn TF-IDF (1-2-grams) + LinearSVC pipeline saved as an MLflow
model, for `mlflow models serve` to answer the same papers as the inference API.

usage: api_peer_mlflow.py TRAIN_JSON MODEL_DIR  → prints one JSON line {model, trainSeconds, vocabulary}

TRAIN_JSON holds [{"title", "abstract", "label"}, ...]. The vectorizers sit in a ColumnTransformer
on the title and abstract columns: given a DataFrame, a bare vectorizer would read its column names.
The cloudpickle format is used because the default (skops) takes minutes to load a large vocabulary.
"""
import json
import sys
import time

import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC


def main():
    rows = json.load(open(sys.argv[1], encoding="utf-8"))
    frame = pd.DataFrame({"title": [r["title"] for r in rows], "abstract": [r["abstract"] for r in rows]})
    labels = [r["label"] for r in rows]
    started = time.perf_counter()
    pipeline = Pipeline([
        ("text", ColumnTransformer([
            ("title", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), "title"),
            ("abstract", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), "abstract"),
        ])),
        ("classifier", LinearSVC()),
    ]).fit(frame, labels)
    train_seconds = time.perf_counter() - started
    signature = infer_signature(frame.head(5), pipeline.predict(frame.head(5)))
    mlflow.sklearn.save_model(pipeline, sys.argv[2], serialization_format="cloudpickle", signature=signature)
    transformers = pipeline.named_steps["text"].named_transformers_
    vocabulary = sum(len(transformers[name].vocabulary_) for name in ("title", "abstract"))
    print(json.dumps({"model": "TF-IDF 1-2-grams + LinearSVC (scikit-learn, mlflow models serve)", "trainSeconds": train_seconds, "vocabulary": vocabulary}))


if __name__ == "__main__":
    main()
