"""Test settings: a throwaway AIRFLOW_HOME (SQLite), no example DAGs, and the `temporal_default`
connection pointing at the Temporal dev server the project's stack runs (TEMPORAL_ADDRESS)."""

import json
import os
import sys
import tempfile
from pathlib import Path

BRIDGE = Path(__file__).resolve().parents[1]
HOME = tempfile.mkdtemp(prefix="airflow-home-")

os.environ.setdefault("AIRFLOW_HOME", HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(BRIDGE / "dags")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

TEMPORAL_ADDRESS = os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233")
_host, _port = TEMPORAL_ADDRESS.rsplit(":", 1)
os.environ["AIRFLOW_CONN_TEMPORAL_DEFAULT"] = json.dumps(
    {"conn_type": "temporal", "host": _host, "port": int(_port), "extra": {"namespace": os.environ.get("TEMPORAL_NAMESPACE", "default"), "ui_url": "http://127.0.0.1:8233"}}
)

sys.path.insert(0, str(BRIDGE / "tests"))
