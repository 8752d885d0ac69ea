"""The Evidently side of `npm run bench:drift`: legacy and current DataDriftPreset on the same CSVs.

    python drift_peer_evidently.py REFERENCE.csv CURRENT.csv OUT_DIR  →  last stdout line: JSON figures

Reading the CSVs is not timed (nor is ours); each report is timed computing and saving its HTML.
"""
import json
import logging
import os
import sys
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)


def legacy(reference, current, embedding, out_dir):
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report

    mapping = ColumnMapping(target=None, prediction="prediction", numerical_features=embedding, categorical_features=[])
    report = Report(metrics=[DataDriftPreset()])
    started = time.perf_counter()
    report.run(reference_data=reference, current_data=current, column_mapping=mapping)
    result = report.as_dict()
    computed = time.perf_counter()
    path = os.path.join(out_dir, "evidently-legacy.html")
    report.save_html(path)
    saved = time.perf_counter()
    verdicts = {}
    dataset = None
    for metric in result["metrics"]:
        if metric["metric"] == "DataDriftTable":
            verdicts = {name: bool(column["drift_detected"]) for name, column in metric["result"]["drift_by_columns"].items()}
        if metric["metric"] == "DatasetDriftMetric":
            dataset = bool(metric["result"]["dataset_drift"])
    return {"computeSeconds": computed - started, "htmlSeconds": saved - computed, "reportBytes": os.path.getsize(path), "verdicts": verdicts, "datasetDrift": dataset}


def current_api(reference, current, embedding, out_dir):
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(numerical_columns=embedding, categorical_columns=["prediction"])
    reference_data = Dataset.from_pandas(reference, data_definition=definition)
    current_data = Dataset.from_pandas(current, data_definition=definition)
    report = Report([DataDriftPreset()])
    started = time.perf_counter()
    snapshot = report.run(current_data=current_data, reference_data=reference_data)
    computed = time.perf_counter()
    path = os.path.join(out_dir, "evidently-current.html")
    snapshot.save_html(path)
    saved = time.perf_counter()
    return {"computeSeconds": computed - started, "htmlSeconds": saved - computed, "reportBytes": os.path.getsize(path)}


def main():
    reference_path, current_path, out_dir = sys.argv[1:4]
    reference = pd.read_csv(reference_path)
    current = pd.read_csv(current_path)
    embedding = [name for name in reference.columns if name.startswith("emb_")]
    figures = {"legacy": legacy(reference, current, embedding, out_dir)}
    print("[bench:drift] Evidently legacy API done", file=sys.stderr, flush=True)
    figures["current"] = current_api(reference, current, embedding, out_dir)
    import evidently

    figures["version"] = evidently.__version__
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
