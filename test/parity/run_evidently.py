"""Runs real Evidently on the parity cases the Jest test wrote, and prints its verdicts as JSON.

    python run_evidently.py MANIFEST.json  →  stdout: {"cases": {...}, "inference": {...}}

Per-column and dataset drift come from the legacy Report([DataDriftPreset()]) with an explicit
column mapping (for the cases that leave types to inference: the lists the current API's inference
gives on the current data); embedding drift from Evidently's drift-method objects (the report would
also run its t-SNE plot, which decides nothing); column types from the current API's inference.
"""
import json
import logging
import math
import sys
import warnings

import pandas as pd
from evidently.core.datasets import infer_column_type
from evidently.legacy.metric_preset import DataDriftPreset
from evidently.legacy.metrics.data_drift.embedding_drift_methods import distance, mmd, model, ratio
from evidently.legacy.pipeline.column_mapping import ColumnMapping
from evidently.legacy.report import Report

warnings.filterwarnings("ignore")
# Evidently logs a warning for every embedding column that is also a numerical feature (as meant here).
logging.disable(logging.WARNING)

PRESET_KEYS = {
    "test": "stattest",
    "numericalTest": "num_stattest",
    "categoricalTest": "cat_stattest",
    "textTest": "text_stattest",
    "perColumnTest": "per_column_stattest",
    "threshold": "stattest_threshold",
    "numericalThreshold": "num_stattest_threshold",
    "categoricalThreshold": "cat_stattest_threshold",
    "textThreshold": "text_stattest_threshold",
    "perColumnThreshold": "per_column_stattest_threshold",
    "driftShare": "drift_share",
}


def number(value):
    """A float as JSON can carry it: NaN as null, infinities as the strings JavaScript's Number() reads."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


INFERRED_LISTS = {"num": "numerical", "cat": "categorical", "text": "text"}


def inferred_mapping(reference, current):
    """As `mlops run monitor` maps two CSVs: each column of both typed by Evidently's inference on the current data."""
    mapping = {"numerical": [], "categorical": [], "text": []}
    for column in current.columns:
        kind = INFERRED_LISTS.get(infer_column_type(current[column]).value) if column in reference.columns else None
        if kind:
            mapping[kind].append(column)
    return mapping


def drift_method(spec):
    kind = spec["method"]
    pca = spec.get("pcaComponents")
    if kind == "model":
        return model(threshold=spec.get("threshold", 0.55), bootstrap=spec.get("bootstrap"), quantile_probability=spec.get("quantile", 0.95), pca_components=pca)
    if kind == "distance":
        return distance(dist=spec.get("distance", "euclidean"), threshold=spec.get("threshold", 0.2), bootstrap=spec.get("bootstrap"), quantile_probability=spec.get("quantile", 0.95), pca_components=pca)
    if kind == "ratio":
        return ratio(component_stattest=spec.get("componentTest", "wasserstein"), component_stattest_threshold=spec.get("componentThreshold", 0.1), threshold=spec.get("threshold", 0.2), pca_components=pca)
    if kind == "mmd":
        return mmd(threshold=spec.get("threshold", 0.015), bootstrap=spec.get("bootstrap"), quantile_probability=spec.get("quantile", 0.05), pca_components=pca)
    raise ValueError(f"unknown embedding method {kind}")


def run_case(case):
    reference = pd.read_csv(case["reference"])
    current = pd.read_csv(case["current"])
    mapping = inferred_mapping(reference, current) if case.get("inferTypes") else case["mapping"]
    embeddings = mapping.get("embeddings") or {}
    column_mapping = ColumnMapping(
        target=mapping.get("target"),
        prediction=mapping.get("prediction"),
        id=mapping.get("id"),
        datetime=mapping.get("datetime"),
        numerical_features=mapping.get("numerical", []),
        categorical_features=mapping.get("categorical", []),
        text_features=mapping.get("text", []),
        embeddings=embeddings if case.get("embeddingsViaReport") else None,
    )
    preset = {PRESET_KEYS[key]: value for key, value in (case.get("options") or {}).items()}
    report = Report(metrics=[DataDriftPreset(**preset)])
    report.run(reference_data=reference, current_data=current, column_mapping=column_mapping)
    result = {"columns": {}, "embeddings": {}}
    for metric in report.as_dict()["metrics"]:
        data = metric["result"]
        if metric["metric"] == "DatasetDriftMetric":
            # The dataset verdict is this metric's: the table's ignores the preset's drift_share.
            result["dataset"] = {
                "numberOfColumns": data["number_of_columns"],
                "numberOfDriftedColumns": data["number_of_drifted_columns"],
                "shareOfDriftedColumns": data["share_of_drifted_columns"],
                "datasetDrift": bool(data["dataset_drift"]),
            }
        elif metric["metric"] == "DataDriftTable":
            for name, column in data["drift_by_columns"].items():
                result["columns"][name] = {
                    "type": column["column_type"],
                    "test": column["stattest_name"],
                    "threshold": number(column["stattest_threshold"]),
                    "score": number(column["drift_score"]),
                    "drifted": bool(column["drift_detected"]),
                }
        elif metric["metric"] == "EmbeddingsDriftMetric":
            result["embeddings"]["report:" + data["embeddings_name"]] = {"score": number(data["drift_score"]), "drifted": bool(data["drift_detected"]), "method": data["method_name"]}
    for index, spec in enumerate(case.get("embeddingMethods") or []):
        columns = embeddings[spec["embedding"]]
        score, drifted, method = drift_method(spec)(current[columns].copy(), reference[columns].copy())
        result["embeddings"][str(index)] = {"score": number(score), "drifted": bool(drifted), "method": method}
    return result


def inferred_types(path):
    data = pd.read_csv(path)
    types = {}
    for column in data.columns:
        types[column] = infer_column_type(data[column]).value
    return types


def main():
    with open(sys.argv[1]) as file:
        manifest = json.load(file)
    out = {
        "cases": {case["name"]: run_case(case) for case in manifest["cases"]},
        "inference": {path: inferred_types(path) for path in manifest.get("inference", [])},
    }
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
