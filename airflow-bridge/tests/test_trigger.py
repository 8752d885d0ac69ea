"""TemporalWorkflowTrigger against the real Temporal dev server: success, failure, cancellation
(by the trigger's on_kill or in Temporal), termination."""

import asyncio
import uuid

from temporalio.client import WorkflowExecutionStatus

from arxiv_mlops_airflow.triggers.temporal import TemporalWorkflowTrigger
from temporal_support import RunningWorker, task_queue


def trigger_for(workflow_id: str, run_id: str) -> TemporalWorkflowTrigger:
    return TemporalWorkflowTrigger(temporal_conn_id="temporal_default", namespace="default", workflow_id=workflow_id, run_id=run_id, ui_url="http://127.0.0.1:8233")


def location_of(handle) -> dict:
    """Where every event says the run is: the fields the operator links to."""
    return {"namespace": "default", "workflow_id": handle.id, "run_id": handle.result_run_id, "ui_url": "http://127.0.0.1:8233"}


async def events_of(trigger: TemporalWorkflowTrigger) -> list:
    return [event async for event in trigger.run()]


def test_serialize_round_trips():
    trigger = trigger_for("wf-1", "run-1")
    path, kwargs = trigger.serialize()
    assert path == "arxiv_mlops_airflow.triggers.temporal.TemporalWorkflowTrigger"
    again = TemporalWorkflowTrigger(**kwargs)
    assert again.serialize() == (path, kwargs)
    assert kwargs == {"temporal_conn_id": "temporal_default", "namespace": "default", "workflow_id": "wf-1", "run_id": "run-1", "ui_url": "http://127.0.0.1:8233"}


def start(client, workflow: str, queue: str, argument: dict):
    return client.start_workflow(workflow, argument, id=f"trigger-test-{uuid.uuid4().hex[:10]}", task_queue=queue)


def test_one_success_event_with_the_result_and_where_the_run_is():
    async def scenario():
        queue = task_queue()
        async with RunningWorker(queue) as worker:
            handle = await start(worker.client, "echoWorkflow", queue, {"source": "sample"})
            return handle, await events_of(trigger_for(handle.id, handle.result_run_id))

    handle, events = asyncio.run(scenario())
    assert len(events) == 1
    assert events[0].payload == {
        "status": "success",
        "result": {"echo": {"source": "sample"}, "papers": 3},
        **location_of(handle),
    }


def test_one_error_event_with_the_workflows_failure_message():
    async def scenario():
        queue = task_queue()
        async with RunningWorker(queue) as worker:
            handle = await start(worker.client, "failingWorkflow", queue, {"source": "nowhere"})
            return await events_of(trigger_for(handle.id, handle.result_run_id))

    events = asyncio.run(scenario())
    assert len(events) == 1
    assert events[0].payload["status"] == "error"
    assert "no papers in nowhere" in events[0].payload["message"]


def test_on_kill_cancels_the_workflow_and_the_trigger_reports_it():
    async def scenario():
        queue = task_queue()
        async with RunningWorker(queue) as worker:
            handle = await start(worker.client, "waitingWorkflow", queue, {})
            trigger = trigger_for(handle.id, handle.result_run_id)
            waiting = asyncio.create_task(events_of(trigger))
            await asyncio.sleep(1)
            assert not waiting.done()
            await trigger.on_kill()
            events = await asyncio.wait_for(waiting, 30)
            return events, (await handle.describe()).status

    events, status = asyncio.run(scenario())
    assert status == WorkflowExecutionStatus.CANCELED
    assert len(events) == 1
    assert events[0].payload["status"] == "cancelled"
    assert "cancel" in events[0].payload["message"].lower()


def test_a_workflow_cancelled_in_temporal_is_a_cancelled_event_not_an_error():
    async def scenario():
        queue = task_queue()
        async with RunningWorker(queue) as worker:
            handle = await start(worker.client, "waitingWorkflow", queue, {})
            waiting = asyncio.create_task(events_of(trigger_for(handle.id, handle.result_run_id)))
            await asyncio.sleep(1)
            await handle.cancel()
            return handle, await asyncio.wait_for(waiting, 30)

    handle, events = asyncio.run(scenario())
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "cancelled"
    assert "cancel" in payload["message"].lower()
    assert {key: payload[key] for key in location_of(handle)} == location_of(handle)


def test_a_terminated_workflow_is_still_an_error_event():
    async def scenario():
        queue = task_queue()
        async with RunningWorker(queue) as worker:
            handle = await start(worker.client, "waitingWorkflow", queue, {})
            waiting = asyncio.create_task(events_of(trigger_for(handle.id, handle.result_run_id)))
            await asyncio.sleep(1)
            await handle.terminate("stopped by an operator")
            return await asyncio.wait_for(waiting, 30)

    events = asyncio.run(scenario())
    assert len(events) == 1
    assert events[0].payload["status"] == "error"
    assert "terminated" in events[0].payload["message"]


def test_an_unreachable_server_is_an_error_event_not_a_hang():
    trigger = TemporalWorkflowTrigger(temporal_conn_id="temporal_nowhere", namespace="default", workflow_id="x", run_id="y")
    import os

    os.environ["AIRFLOW_CONN_TEMPORAL_NOWHERE"] = '{"conn_type": "temporal", "host": "127.0.0.1", "port": 1}'
    events = asyncio.run(asyncio.wait_for(events_of(trigger), 60))
    assert len(events) == 1
    assert events[0].payload["status"] == "error"
    assert "could not await the workflow" in events[0].payload["message"]
