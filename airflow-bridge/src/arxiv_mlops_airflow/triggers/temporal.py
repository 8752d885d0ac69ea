"""Awaits a Temporal workflow run in the triggerer: one event — success, cancelled or error — then done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cached_property
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from arxiv_mlops_airflow.hooks.temporal import TemporalHook, failure_message

__all__ = ["TemporalWorkflowTrigger", "failure_message"]


class TemporalWorkflowTrigger(BaseTrigger):
    """Fires once when the workflow run closes. The event carries everything `execute_complete`
    needs (status, result or message, and where the run is), because `airflow dags test` drops
    the `kwargs` given to `defer()`. Its status is `success` (with the result), `cancelled` (the
    run ended cancelled: cancelled in Temporal, or by this trigger's `on_kill`) or `error` (the
    run failed, was terminated or timed out, or could not be awaited). Every call to Temporal goes
    through `hook`."""

    def __init__(self, temporal_conn_id: str, namespace: str, workflow_id: str, run_id: str, ui_url: str | None = None) -> None:
        super().__init__()
        self.temporal_conn_id = temporal_conn_id
        self.namespace = namespace
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.ui_url = ui_url

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "temporal_conn_id": self.temporal_conn_id,
                "namespace": self.namespace,
                "workflow_id": self.workflow_id,
                "run_id": self.run_id,
                "ui_url": self.ui_url,
            },
        )

    @cached_property
    def hook(self) -> TemporalHook:
        return TemporalHook(self.temporal_conn_id)

    def _where(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "workflow_id": self.workflow_id, "run_id": self.run_id, "ui_url": self.ui_url}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            # The run this task started, followed through continue-as-new and retries to the final result.
            outcome = await self.hook.wait_for_workflow(self.workflow_id, self.run_id)
        except Exception as error:  # noqa: BLE001 - unreachable server, bad connection: the task fails with why
            yield TriggerEvent({"status": "error", "message": f"could not await the workflow: {failure_message(error)}", **self._where()})
            return
        if outcome.status == "success":
            yield TriggerEvent({"status": "success", "result": outcome.result, **self._where()})
        else:
            yield TriggerEvent({"status": outcome.status, "message": outcome.message, **self._where()})

    async def on_kill(self) -> None:
        """The task was cleared or marked failed/success by a user: cancel the workflow too, and wait
        (briefly) for the run to close — a retry of the cleared task must not attach to a run that
        is still being cancelled (the operator's "use existing" policy would)."""
        self.log.info("cancelling Temporal workflow %s (run %s)", self.workflow_id, self.run_id)
        if not await self.hook.cancel_workflow(self.workflow_id, self.run_id):
            self.log.warning("Temporal workflow %s (run %s) had not closed yet after the cancel request", self.workflow_id, self.run_id)
