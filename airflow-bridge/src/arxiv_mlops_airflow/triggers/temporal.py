"""Awaits a Temporal workflow run in the triggerer: one event, success or error, then done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent
from temporalio.client import WorkflowFailureError

from arxiv_mlops_airflow.hooks.temporal import TemporalHook


CANCEL_WAIT_SECONDS = 30


def failure_message(error: BaseException) -> str:
    """The innermost cause of a workflow failure: what actually went wrong, not just "workflow failed"."""
    messages = []
    current: BaseException | None = error
    while current is not None:
        text = str(getattr(current, "message", None) or current)
        if text and text not in messages:
            messages.append(text)
        current = current.__cause__
    return ": ".join(messages) or type(error).__name__


class TemporalWorkflowTrigger(BaseTrigger):
    """Fires once when the workflow run closes. The event carries everything `execute_complete`
    needs (status, result or failure message, and where the run is), because `airflow dags test`
    drops the `kwargs` given to `defer()`."""

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

    def _where(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "workflow_id": self.workflow_id, "run_id": self.run_id, "ui_url": self.ui_url}

    async def _handle(self):
        hook = TemporalHook(self.temporal_conn_id)
        settings = await hook.aget_settings()
        client = await TemporalHook.connect(settings)
        # The run this task started; `follow_runs` follows continue-as-new and retries to the final result.
        return client.get_workflow_handle(self.workflow_id, run_id=self.run_id)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            handle = await self._handle()
            result = await handle.result(follow_runs=True)
        except WorkflowFailureError as error:
            yield TriggerEvent({"status": "error", "message": failure_message(error), **self._where()})
            return
        except Exception as error:  # noqa: BLE001 - unreachable server, bad connection: the task fails with why
            yield TriggerEvent({"status": "error", "message": f"could not await the workflow: {failure_message(error)}", **self._where()})
            return
        yield TriggerEvent({"status": "success", "result": result, **self._where()})

    async def on_kill(self) -> None:
        """The task was cleared or marked failed/success by a user: cancel the workflow too."""
        handle = await self._handle()
        self.log.info("cancelling Temporal workflow %s (run %s)", self.workflow_id, self.run_id)
        await handle.cancel()
        # Wait (briefly) for the run to close: a retry of the cleared task must not attach to a run
        # that is still being cancelled (the operator's "use existing" policy would).
        try:
            await asyncio.wait_for(handle.result(), CANCEL_WAIT_SECONDS)
        except Exception:  # noqa: BLE001 - cancelled (the expected end), failed, or still closing
            pass
