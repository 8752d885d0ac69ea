"""The DAG as Airflow parses it."""

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.exceptions import ParamValidationError

from conftest import BRIDGE


def load():
    bag = DagBag(dag_folder=str(BRIDGE / "dags"))
    return bag


def test_the_dag_folder_imports_without_errors():
    bag = load()
    assert bag.import_errors == {}
    assert list(bag.dags) == ["arxiv_ct_cm"]


def test_stages_run_in_order_and_branch_on_drift():
    dag = load().dags["arxiv_ct_cm"]
    downstream = {task.task_id: sorted(task.downstream_task_ids) for task in dag.tasks}
    assert downstream == {
        "ingest": ["new_data"],
        "new_data": ["train"],
        "train": ["monitor"],
        "monitor": ["drifted"],
        "drifted": ["done", "retrain"],
        "retrain": [],
        "done": [],
    }


def test_workflows_are_started_by_type_name_on_the_configured_queues():
    dag = load().dags["arxiv_ct_cm"]
    workflows = {task.task_id: task.workflow for task in dag.tasks if hasattr(task, "workflow")}
    assert workflows == {"ingest": "ingestWorkflow", "train": "trainWorkflow", "monitor": "monitorWorkflow", "retrain": "trainWorkflow"}
    assert all(dag.get_task(task_id).task_queue == "{{ params.task_queue_io }}" for task_id in workflows)


def test_runs_are_not_caught_up_and_tasks_retry_with_timeouts():
    dag = load().dags["arxiv_ct_cm"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    for task_id in ("ingest", "train", "monitor", "retrain"):
        task = dag.get_task(task_id)
        assert task.retries == 2
        assert task.execution_timeout is not None
        # Beyond every try (3 × 6 h) Temporal ends the workflow itself.
        assert task.workflow_execution_timeout.total_seconds() >= (task.retries + 1) * task.execution_timeout.total_seconds()


def test_every_knob_is_a_param_with_a_default():
    params = load().dags["arxiv_ct_cm"].params
    assert params["task_queue_io"] == "arxiv-mlops-io"
    assert params["task_queue_cpu"] == "arxiv-mlops-cpu"
    assert params["source"] == {"kind": "sample"}
    assert params["min_new_papers"] == 1
    assert params["retrain_on_drift"] is True
    assert {"limit", "train_epochs", "train_candidates", "monitor_window_days", "drift_share", "max_macro_f1_drop", "buffer_stream"} <= set(params.keys())
    assert params["redis_conn_id"] == "redis_default"


@pytest.mark.parametrize("name", ["task_queue_io", "task_queue_cpu", "redis_conn_id", "buffer_stream"])
def test_an_empty_queue_connection_or_stream_name_is_rejected(name):
    params = load().dags["arxiv_ct_cm"].params
    with pytest.raises(ParamValidationError, match=f"param {name}: '' should be non-empty"):
        params[name] = ""


def test_the_new_data_check_uses_the_redis_connection_and_waits_as_configured(monkeypatch):
    monkeypatch.setenv("ARXIV_CT_CM_NEW_DATA_WAIT_SECONDS", "4")
    sensor = load().dags["arxiv_ct_cm"].get_task("new_data")
    assert sensor.redis_conn_id == "{{ params.redis_conn_id }}"
    assert (sensor.mode, sensor.soft_fail, sensor.timeout, sensor.poke_interval) == ("reschedule", True, 4, 4)


def test_a_wait_that_is_not_a_number_of_seconds_is_an_import_error_naming_it(monkeypatch):
    monkeypatch.setenv("ARXIV_CT_CM_NEW_DATA_WAIT_SECONDS", "1m")
    errors = "".join(load().import_errors.values())
    assert "ARXIV_CT_CM_NEW_DATA_WAIT_SECONDS must be a whole number of seconds ≥ 0, not '1m'" in errors
