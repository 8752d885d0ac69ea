"""TemporalWorkflowOperator: starts by type name with a deterministic id, re-attaches when retried,
pushes where the run is, defers to the trigger, and turns the event into a result or a failure."""

import asyncio
import uuid

import pytest
from airflow.sdk.exceptions import AirflowException, TaskDeferred

from arxiv_mlops_airflow.hooks.temporal import TemporalHook
from arxiv_mlops_airflow.links import XCOM_KEY, workflow_url
from arxiv_mlops_airflow.operators.temporal import TemporalWorkflowOperator, deterministic_workflow_id, without_nulls
from arxiv_mlops_airflow.triggers.temporal import TemporalWorkflowTrigger
from temporal_support import client, task_queue


class TaskInstanceRecord:
    """What the operator reads of its task instance, and the XComs it pushes (Airflow's own needs a database)."""

    def __init__(self, dag_id: str, task_id: str, run_id: str, map_index: int = -1) -> None:
        self.dag_id, self.task_id, self.run_id, self.map_index = dag_id, task_id, run_id, map_index
        self.pushed: dict = {}

    def xcom_push(self, key: str, value) -> None:
        self.pushed[key] = value


def test_workflow_ids_are_deterministic_per_task_instance():
    assert deterministic_workflow_id("arxiv_ct_cm", "train", "manual__2026-12-01T10:00:00+00:00", -1) == "airflow-arxiv_ct_cm-train-manual__2026-12-01T10:00:00+00:00"
    assert deterministic_workflow_id("d", "t", "r", 3) == "airflow-d-t-r-3"
    assert deterministic_workflow_id("d", "t", "r w/x", None) == "airflow-d-t-r_w_x"


def test_unset_params_are_left_out_of_the_argument():
    assert without_nulls({"limit": None, "source": {"kind": "sample", "path": None}, "items": [1, None]}) == {"source": {"kind": "sample"}, "items": [1, None]}


def test_starts_pushes_where_and_defers_then_a_retry_reattaches_to_the_same_run():
    queue = task_queue()
    ti = TaskInstanceRecord("bridge_test", "start", f"manual__{uuid.uuid4().hex[:8]}")
    operator = TemporalWorkflowOperator(task_id="start", workflow="waitingWorkflow", task_queue=queue, argument={"source": "sample", "limit": None})
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute({"ti": ti})
    trigger = deferred.value.trigger
    assert isinstance(trigger, TemporalWorkflowTrigger)
    assert deferred.value.method_name == "execute_complete"
    where = ti.pushed[XCOM_KEY]
    assert where["workflow_id"] == deterministic_workflow_id(ti.dag_id, ti.task_id, ti.run_id, -1)
    assert (trigger.workflow_id, trigger.run_id, trigger.namespace) == (where["workflow_id"], where["run_id"], "default")
    assert workflow_url(where["ui_url"], where["namespace"], where["workflow_id"], where["run_id"]).startswith("http://127.0.0.1:8233/namespaces/default/workflows/airflow-bridge_test-start-")

    # The Airflow task retried: the same workflow run, not a second one.
    retry = TaskInstanceRecord(ti.dag_id, ti.task_id, ti.run_id)
    with pytest.raises(TaskDeferred):
        operator.execute({"ti": retry})
    assert retry.pushed[XCOM_KEY]["run_id"] == where["run_id"]

    async def inspect_and_stop():
        temporal = await client()
        handle = temporal.get_workflow_handle(where["workflow_id"])
        described = await handle.describe()
        history = [event async for event in handle.fetch_history_events()]
        await handle.terminate("test done")
        return described, history

    described, history = asyncio.run(inspect_and_stop())
    assert described.workflow_type == "waitingWorkflow"
    assert described.task_queue == queue
    started = history[0].workflow_execution_started_event_attributes
    assert started.input.payloads[0].data == b'{"source":"sample"}'


def test_the_workflow_queue_argument_and_connection_are_templated():
    operator = TemporalWorkflowOperator(
        task_id="t", workflow="{{ params.workflow }}", task_queue="{{ params.queue }}", argument={"limit": "{{ params.limit }}"}, temporal_conn_id="{{ params.conn }}"
    )
    operator.render_template_fields({"params": {"workflow": "trainWorkflow", "queue": "q-io", "limit": 5, "conn": "temporal_cloud"}})
    assert (operator.workflow, operator.task_queue, operator.argument, operator.temporal_conn_id) == ("trainWorkflow", "q-io", {"limit": "5"}, "temporal_cloud")


def test_execute_complete_returns_the_result_or_fails_with_the_message():
    operator = TemporalWorkflowOperator(task_id="t", workflow="w", task_queue="q")
    assert operator.execute_complete({}, {"status": "success", "result": {"papers": 3}, "workflow_id": "w1"}) == {"papers": 3}
    with pytest.raises(AirflowException, match="workflow w1 failed: no papers in nowhere"):
        operator.execute_complete({}, {"status": "error", "message": "no papers in nowhere", "workflow_id": "w1"})
    with pytest.raises(AirflowException, match="without an event"):
        operator.execute_complete({}, None)


def test_execute_complete_fails_a_cancelled_workflow_saying_so():
    operator = TemporalWorkflowOperator(task_id="t", workflow="w", task_queue="q")
    with pytest.raises(AirflowException, match="^workflow w1 was cancelled: Workflow execution failed: Workflow cancelled$"):
        operator.execute_complete({}, {"status": "cancelled", "message": "Workflow execution failed: Workflow cancelled", "workflow_id": "w1"})


def test_the_hook_is_cached_and_uses_the_rendered_connection():
    operator = TemporalWorkflowOperator(task_id="t", workflow="w", task_queue="q", temporal_conn_id="{{ params.conn }}")
    operator.render_template_fields({"params": {"conn": "temporal_cloud"}})
    assert isinstance(operator.hook, TemporalHook)
    assert operator.hook is operator.hook
    assert operator.hook.temporal_conn_id == "temporal_cloud"
