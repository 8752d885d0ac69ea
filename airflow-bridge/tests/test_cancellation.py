"""Cancellation for real: `airflow standalone` (api-server, scheduler, dag-processor, triggerer),
a run triggered and deferred, the task cleared through the REST API — and the Temporal workflow
it started is cancelled by the trigger's on_kill."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from arxiv_mlops_airflow.operators.temporal import deterministic_workflow_id
from sample_workflows import WaitingWorkflow
from temporal_support import client

DAG = '''
import os
import pendulum
from airflow.sdk import DAG
from arxiv_mlops_airflow.operators.temporal import TemporalWorkflowOperator

with DAG(dag_id="bridge_cancel", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False):
    TemporalWorkflowOperator(task_id="wait", workflow="waitingWorkflow", task_queue=os.environ["BRIDGE_TEST_QUEUE"], argument={"why": "to be cancelled"})
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WorkerThread:
    """The test workflows' worker on its own event loop, beside the blocking HTTP calls below."""

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self.worker = Worker(await client(), task_queue=self.queue, workflows=[WaitingWorkflow])
        self.ready.set()
        await self.worker.run()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(30)
        return self

    def __exit__(self, *exc):
        # The thread is a daemon: a shutdown that lingers (its pollers) ends with the test process.
        try:
            asyncio.run_coroutine_threadsafe(self.worker.shutdown(), self.loop).result(15)
        except TimeoutError:
            pass


class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token = None

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(f"{self.base}{path}", method=method, data=None if body is None else json.dumps(body).encode())
        request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def wait_for(self, what: str, check, timeout: float, interval: float = 1.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = check()
                if last:
                    return last
            except Exception as error:  # noqa: BLE001 - not up yet
                last = error
            time.sleep(interval)
        raise AssertionError(f"timed out waiting for {what} (last: {last})")


def workflow_status(workflow_id: str, run_id: str | None = None):
    async def describe():
        return (await (await client()).get_workflow_handle(workflow_id, run_id=run_id).describe())

    return asyncio.run(describe())


def test_clearing_a_deferred_task_cancels_its_workflow():
    queue = f"airflow-cancel-{uuid.uuid4().hex[:8]}"
    home = Path(tempfile.mkdtemp(prefix="airflow-standalone-"))
    (home / "dags").mkdir()
    (home / "dags" / "bridge_cancel.py").write_text(DAG)
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(os.sys.executable).parent}:{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "BRIDGE_TEST_QUEUE": queue,
    }
    api = Api(f"http://127.0.0.1:{port}")
    with WorkerThread(queue):
        standalone = subprocess.Popen(["airflow", "standalone"], env=env, stdout=(home / "standalone.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            api.wait_for("the API server", lambda: api.call("GET", "/api/v2/monitor/health"), 240, 2)
            api.token = api.call("GET", "/auth/token")["access_token"]
            api.wait_for("the DAG to be parsed", lambda: api.call("GET", "/api/v2/dags/bridge_cancel"), 180, 2)
            api.call("PATCH", "/api/v2/dags/bridge_cancel", {"is_paused": False})
            run_id = api.call("POST", "/api/v2/dags/bridge_cancel/dagRuns", {"logical_date": None})["dag_run_id"]
            instance = f"/api/v2/dags/bridge_cancel/dagRuns/{run_id}/taskInstances/wait"
            api.wait_for("the task to defer", lambda: api.call("GET", instance)["state"] == "deferred", 240, 1)

            workflow_id = deterministic_workflow_id("bridge_cancel", "wait", run_id, -1)
            started = workflow_status(workflow_id)
            assert started.status == WorkflowExecutionStatus.RUNNING

            api.call("POST", "/api/v2/dags/bridge_cancel/clearTaskInstances", {"dry_run": False, "dag_run_id": run_id, "task_ids": ["wait"], "only_failed": False, "reset_dag_runs": True})
            cancelled = api.wait_for(
                "the workflow to be cancelled",
                lambda: (described := workflow_status(workflow_id, started.run_id)).status == WorkflowExecutionStatus.CANCELED and described,
                120,
            )
            assert cancelled.run_id == started.run_id
        finally:
            os.killpg(standalone.pid, signal.SIGTERM)
            try:
                standalone.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(standalone.pid, signal.SIGKILL)

            async def stop_leftovers():
                temporal = await client()
                async for execution in temporal.list_workflows(f'TaskQueue = "{queue}" AND ExecutionStatus = "Running"'):
                    await temporal.get_workflow_handle(execution.id, run_id=execution.run_id).terminate("test done")

            asyncio.run(stop_leftovers())
