"""`airflow dags test arxiv_ct_cm` against the real stack: the Temporal dev server, the project's
TypeScript worker, Redis, MongoDB and MLflow (started by `mlops stack up` before pytest)."""

import asyncio
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus

from conftest import BRIDGE
from temporal_support import client

ROOT = BRIDGE.parent
AIRFLOW = str(Path(os.sys.executable).parent / "airflow")


def isolated_env(test_id: str) -> dict:
    """Names of its own on the shared engines, as the TypeScript tests isolate theirs."""
    return {
        **os.environ,
        "TASK_QUEUE_IO": f"{test_id}-io",
        "TASK_QUEUE_CPU": f"{test_id}-cpu",
        "MONGODB_DATABASE": f"test_{test_id.replace('-', '_')}",
        "BUFFER_STREAM": f"test:{test_id}:papers",
        "MLFLOW_EXPERIMENT": test_id,
        "MLFLOW_MODEL_NAME": f"{test_id}-model",
        "MLFLOW_MONITORING_EXPERIMENT": f"{test_id}-monitoring",
        "OBJECT_STORE_URL": (ROOT / ".data" / "test-objects" / test_id).as_uri(),
    }


def test_the_dag_runs_the_pipeline_through_temporal():
    test_id = f"airflow-e2e-{uuid.uuid4().hex[:6]}"
    env = isolated_env(test_id)
    home = tempfile.mkdtemp(prefix="airflow-e2e-")
    airflow_env = {**env, "AIRFLOW_HOME": home}
    worker_log = Path(home) / "worker.log"
    worker = subprocess.Popen(["node", str(ROOT / "bin" / "mlops.js"), "worker"], env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "worker running" not in worker_log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, f"the worker did not start: {worker_log.read_text()[-2000:]}"
            time.sleep(0.2)
        subprocess.run([AIRFLOW, "db", "migrate"], env=airflow_env, check=True, capture_output=True, timeout=300)
        conf = {
            "task_queue_io": env["TASK_QUEUE_IO"],
            "task_queue_cpu": env["TASK_QUEUE_CPU"],
            "buffer_stream": env["BUFFER_STREAM"],
            "limit": 600,
            "embedder_dimensions": 48,
            "train_epochs": 4,
        }
        run = subprocess.run([AIRFLOW, "dags", "test", "arxiv_ct_cm", "-c", json.dumps(conf)], env=airflow_env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
        assert "DagRun Finished: dag_id=arxiv_ct_cm" in run.stdout + run.stderr
        assert "state=success" in run.stdout + run.stderr or "successful" in run.stdout + run.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    async def results():
        temporal = await client()
        found = {}
        async for execution in temporal.list_workflows('WorkflowId STARTS_WITH "airflow-arxiv_ct_cm-" AND TaskQueue = "%s"' % env["TASK_QUEUE_IO"]):
            handle = temporal.get_workflow_handle(execution.id, run_id=execution.run_id)
            found[execution.id.split("-")[2]] = (execution.status, execution.workflow_type, await handle.result())
        return found

    found = asyncio.run(results())
    assert {task: (status, kind) for task, (status, kind, _) in found.items() if task != "retrain"} == {
        "ingest": (WorkflowExecutionStatus.COMPLETED, "ingestWorkflow"),
        "train": (WorkflowExecutionStatus.COMPLETED, "trainWorkflow"),
        "monitor": (WorkflowExecutionStatus.COMPLETED, "monitorWorkflow"),
    }
    ingest, train, monitor = (found[task][2] for task in ("ingest", "train", "monitor"))
    assert (ingest["extracted"], ingest["embedded"], ingest["balanced"]) == (600, 600, True)
    assert train["promoted"] is True and train["modelVersion"] == "1"
    assert monitor["currentRows"] == 600
    assert monitor["reference"]["runId"] == train["runId"]
    # The branch: a retraining exactly when the monitor found drift or a quality alert.
    drifted = monitor["drift"] or monitor["qualityAlert"]
    assert ("retrain" in found) == drifted
    if drifted:
        assert found["retrain"][:2] == (WorkflowExecutionStatus.COMPLETED, "trainWorkflow")
