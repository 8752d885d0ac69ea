"""Starts a Temporal workflow by type name and defers until it closes, without holding a worker slot."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from functools import cached_property
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from arxiv_mlops_airflow.hooks.temporal import TemporalHook
from arxiv_mlops_airflow.links import XCOM_KEY, TemporalWorkflowLink
from arxiv_mlops_airflow.triggers.temporal import TemporalWorkflowTrigger


def without_nulls(value: Any) -> Any:
    """JSON for TypeScript: a None (an unset Param) leaves the field out, as an optional field expects."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def deterministic_workflow_id(dag_id: str, task_id: str, run_id: str, map_index: int | None) -> str:
    """The same for every try of one task instance, so a retried task re-attaches to its workflow."""
    suffix = "" if map_index is None or map_index < 0 else f"-{map_index}"
    return re.sub(r"[^A-Za-z0-9._:+-]", "_", f"airflow-{dag_id}-{task_id}-{run_id}{suffix}")


class TemporalWorkflowOperator(BaseOperator):
    """Starts `workflow` (a type name, e.g. `trainWorkflow`) on `task_queue` with one JSON argument
    (None values left out), pushes where it runs to XCom, defers to `TemporalWorkflowTrigger`, and
    returns the workflow's result (JSON) — or fails with its failure message, or because the
    workflow was cancelled. Every call to Temporal goes through `hook`."""

    template_fields = ("workflow", "task_queue", "argument", "temporal_conn_id")
    template_fields_renderers = {"argument": "json"}
    operator_extra_links = (TemporalWorkflowLink(),)
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        workflow: str,
        task_queue: str,
        argument: Any = None,
        temporal_conn_id: str = TemporalHook.default_conn_name,
        workflow_execution_timeout: timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.workflow = workflow
        self.task_queue = task_queue
        self.argument = argument
        self.temporal_conn_id = temporal_conn_id
        self.workflow_execution_timeout = workflow_execution_timeout

    @cached_property
    def hook(self) -> TemporalHook:
        """The hook of `temporal_conn_id` (as rendered: first used in `execute`)."""
        return TemporalHook(self.temporal_conn_id)

    def execute(self, context: Any) -> Any:
        ti = context["ti"]
        settings = self.hook.get_settings()
        workflow_id = deterministic_workflow_id(ti.dag_id, ti.task_id, ti.run_id, getattr(ti, "map_index", None))
        run_id = asyncio.run(
            self.hook.start_or_attach_workflow(self.workflow, workflow_id, self.task_queue, without_nulls(self.argument), self.workflow_execution_timeout)
        )
        where = {"namespace": settings.namespace, "workflow_id": workflow_id, "run_id": run_id, "ui_url": settings.ui_url}
        ti.xcom_push(key=XCOM_KEY, value=where)
        self.log.info("started %s as %s (run %s) on %s", self.workflow, workflow_id, run_id, self.task_queue)
        self.defer(
            trigger=TemporalWorkflowTrigger(temporal_conn_id=self.temporal_conn_id, **where),
            method_name="execute_complete",
            timeout=self.execution_timeout,
        )

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> Any:
        """The trigger's event: `success` returns the result; `cancelled` (the workflow was cancelled,
        e.g. in the Temporal Web UI) and `error` fail the task (a retry starts a new run: the id
        may be reused after a cancellation or a failure)."""
        if not event:
            raise AirflowException("the trigger ended without an event")
        status = event.get("status")
        if status == "success":
            self.log.info("workflow %s completed", event.get("workflow_id"))
            return event.get("result")
        if status == "cancelled":
            raise AirflowException(f"workflow {event.get('workflow_id')} was cancelled: {event.get('message')}")
        raise AirflowException(f"workflow {event.get('workflow_id')} failed: {event.get('message')}")
