"""`airflow dags test arxiv_ct_cm` against the real stack: the Temporal dev server, the project's
TypeScript worker, Redis, MongoDB and MLflow (started by `mlops stack up` before pytest)."""

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
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


@pytest.fixture(scope="module")
def airflow_home() -> str:
    """One migrated metadata database for the module's `dags test` runs (each run has its own run id)."""
    home = tempfile.mkdtemp(prefix="airflow-e2e-")
    subprocess.run([AIRFLOW, "db", "migrate"], env={**os.environ, "AIRFLOW_HOME": home}, check=True, capture_output=True, timeout=300)
    return home


class Pipeline:
    """The project's TypeScript worker on isolated names, and `airflow dags test` runs against it."""

    def __init__(self, home: str) -> None:
        self.env = isolated_env(f"airflow-e2e-{uuid.uuid4().hex[:6]}")
        self.home = home
        self.worker_log = Path(tempfile.mkdtemp(prefix="airflow-e2e-worker-")) / "worker.log"

    def __enter__(self):
        self.worker = subprocess.Popen(["node", str(ROOT / "bin" / "mlops.js"), "worker"], env=self.env, stdout=self.worker_log.open("w"), stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while "worker running" not in self.worker_log.read_text():
                assert self.worker.poll() is None and time.monotonic() < deadline, f"the worker did not start: {self.worker_log.read_text()[-2000:]}"
                time.sleep(0.2)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.worker.terminate()
        self.worker.wait(timeout=60)

    def conf(self, **params) -> dict:
        return {"task_queue_io": self.env["TASK_QUEUE_IO"], "task_queue_cpu": self.env["TASK_QUEUE_CPU"], "buffer_stream": self.env["BUFFER_STREAM"], **params}

    def dags_test(self, conf: dict, timeout: int = 900, **env) -> str:
        """Runs the DAG to its end and returns the output (logs of every task included)."""
        run = subprocess.run(
            [AIRFLOW, "dags", "test", "arxiv_ct_cm", "-c", json.dumps(conf)],
            env={**self.env, "AIRFLOW_HOME": self.home, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-8000:]
        assert "DagRun Finished: dag_id=arxiv_ct_cm" in output, output[-8000:]
        return output

    def task_states(self, output: str) -> dict:
        """Each task's final state in the run `output` reports."""
        run_id = re.search(r"DagRun Finished: dag_id=arxiv_ct_cm, .*?run_id=([^,]+),", output).group(1)
        listed = subprocess.run(
            [AIRFLOW, "tasks", "states-for-dag-run", "arxiv_ct_cm", run_id, "-o", "json"],
            env={**self.env, "AIRFLOW_HOME": self.home},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        rows = json.loads(next(line for line in reversed(listed.stdout.splitlines()) if line.startswith("[")))  # after any log lines
        return {row["task_id"]: row["state"] for row in rows}

    def workflows(self) -> dict:
        """The workflows the DAG's tasks started on this pipeline's queue: task id → (status, type, result)."""

        async def listed():
            temporal = await client()
            found = {}
            async for execution in temporal.list_workflows('WorkflowId STARTS_WITH "airflow-arxiv_ct_cm-" AND TaskQueue = "%s"' % self.env["TASK_QUEUE_IO"]):
                handle = temporal.get_workflow_handle(execution.id, run_id=execution.run_id)
                found[execution.id.split("-")[2]] = (execution.status, execution.workflow_type, await handle.result())
            return found

        return asyncio.run(listed())


def test_the_dag_runs_the_pipeline_through_temporal(airflow_home):
    with Pipeline(airflow_home) as pipeline:
        output = pipeline.dags_test(pipeline.conf(limit=600, embedder_dimensions=48, train_epochs=4))
        assert "state=success" in output or "successful" in output
    found = pipeline.workflows()
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


def test_a_day_without_new_papers_skips_training_after_polling_redis(airflow_home):
    """Fewer papers than `min_new_papers` and an empty buffer: the new-data check pokes the real
    Redis (through the `redis_default` connection) until its short wait ends, then skips — it does
    not fail — and nothing downstream runs."""
    with Pipeline(airflow_home) as pipeline:
        output = pipeline.dags_test(pipeline.conf(limit=30, embedder_dimensions=8, min_new_papers=1000), timeout=600, ARXIV_CT_CM_NEW_DATA_WAIT_SECONDS="2")
    assert f"stream {pipeline.env['BUFFER_STREAM']} holds 0 entries (want ≥ 1) [redis connection redis_default]" in output, output[-8000:]
    assert "Sensor has timed out" in output, output[-8000:]
    states = pipeline.task_states(output)
    assert states == {"ingest": "success", "new_data": "skipped", "train": "skipped", "monitor": "skipped", "drifted": "skipped", "retrain": "skipped", "done": "skipped"}
    found = pipeline.workflows()
    assert {task: (status, kind) for task, (status, kind, _) in found.items()} == {"ingest": (WorkflowExecutionStatus.COMPLETED, "ingestWorkflow")}
    assert found["ingest"][2]["embedded"] == 30
