"""Test settings: a throwaway AIRFLOW_HOME (SQLite), no example DAGs, the `temporal_default`
connection pointing at the Temporal dev server the project's stack runs (TEMPORAL_ADDRESS), and
the `redis_default` connection pointing at its Redis (REDIS_URL)."""

import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

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

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


def redis_connection(url: str) -> dict:
    """An Airflow connection of type redis (the Redis provider's hook) for a redis:// or rediss:// URL."""
    parts = urlsplit(url)
    return {
        "conn_type": "redis",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "extra": {"db": int(parts.path.strip("/") or 0), "ssl": parts.scheme == "rediss"},
    }


os.environ["AIRFLOW_CONN_REDIS_DEFAULT"] = json.dumps(redis_connection(REDIS_URL))

sys.path.insert(0, str(BRIDGE / "tests"))
