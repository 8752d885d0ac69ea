"""TemporalHook's calls to Temporal against the real dev server: start or attach, describe, await,
cancel — what the operator and the trigger use instead of a client of their own."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from arxiv_mlops_airflow.hooks.temporal import TemporalHook, WorkflowOutcome
from temporal_support import RunningWorker, client, task_queue


def new_id() -> str:
    return f"hook-test-{uuid.uuid4().hex[:10]}"


async def terminate(workflow_id: str) -> None:
    await (await client()).get_workflow_handle(workflow_id).terminate("test done")


def test_start_or_attach_starts_once_and_a_second_call_attaches_to_the_running_run():
    async def scenario():
        hook, workflow_id, queue = TemporalHook(), new_id(), task_queue()
        first = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, queue, {"source": "sample"}, timedelta(hours=2))
        second = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, queue, {"source": "sample"}, timedelta(hours=2))
        described = await hook.describe(workflow_id)
        await terminate(workflow_id)
        return first, second, described, queue

    first, second, described, queue = asyncio.run(scenario())
    assert first and second == first
    assert (described.run_id, described.workflow_type, described.task_queue, described.status) == (first, "waitingWorkflow", queue, WorkflowExecutionStatus.RUNNING)
    assert described.raw_description.execution_config.workflow_execution_timeout.ToTimedelta() == timedelta(hours=2)


def test_no_argument_starts_the_workflow_without_input():
    async def scenario():
        hook, workflow_id = TemporalHook(), new_id()
        await hook.start_or_attach_workflow("echoWorkflow", workflow_id, task_queue())
        handle = (await client()).get_workflow_handle(workflow_id)
        history = [event async for event in handle.fetch_history_events()]
        await handle.terminate("test done")
        return history

    started = asyncio.run(scenario())[0].workflow_execution_started_event_attributes
    assert list(started.input.payloads) == []


def test_a_completed_run_is_attached_to_and_a_failed_one_is_started_anew():
    async def scenario():
        hook, queue = TemporalHook(), task_queue()
        async with RunningWorker(queue):
            echo = new_id()
            done = await hook.start_or_attach_workflow("echoWorkflow", echo, queue, {"source": "sample"})
            succeeded = await hook.wait_for_workflow(echo, done)
            again = await hook.start_or_attach_workflow("echoWorkflow", echo, queue, {"source": "sample"})

            failing = new_id()
            failed_run = await hook.start_or_attach_workflow("failingWorkflow", failing, queue, {"source": "nowhere"})
            failed = await hook.wait_for_workflow(failing, failed_run)
            retried_run = await hook.start_or_attach_workflow("failingWorkflow", failing, queue, {"source": "nowhere"})
            await hook.wait_for_workflow(failing, retried_run)
        return done, succeeded, again, failed_run, failed, retried_run

    done, succeeded, again, failed_run, failed, retried_run = asyncio.run(scenario())
    assert succeeded == WorkflowOutcome("success", result={"echo": {"source": "sample"}, "papers": 3})
    assert again == done
    assert failed.status == "error" and "no papers in nowhere" in failed.message
    assert retried_run != failed_run


def test_describe_a_given_run_and_an_unknown_workflow_is_an_rpc_error():
    async def scenario():
        hook, workflow_id = TemporalHook(), new_id()
        run_id = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, task_queue(), {})
        described = await hook.describe(workflow_id, run_id)
        await terminate(workflow_id)
        closed = await hook.describe(workflow_id, run_id)
        with pytest.raises(RPCError):
            await hook.describe(new_id())
        return workflow_id, run_id, described, closed

    workflow_id, run_id, described, closed = asyncio.run(scenario())
    assert (described.id, described.run_id, described.namespace, described.status) == (workflow_id, run_id, "default", WorkflowExecutionStatus.RUNNING)
    assert closed.status == WorkflowExecutionStatus.TERMINATED and closed.close_time is not None


def test_cancel_workflow_cancels_the_run_and_waits_for_it_to_close():
    async def scenario():
        hook, queue, workflow_id = TemporalHook(), task_queue(), new_id()
        async with RunningWorker(queue):
            run_id = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, queue, {})
            closed = await hook.cancel_workflow(workflow_id, run_id)
            described = await hook.describe(workflow_id, run_id)
            outcome = await hook.wait_for_workflow(workflow_id, run_id)
        return closed, described, outcome

    closed, described, outcome = asyncio.run(scenario())
    assert closed is True
    assert described.status == WorkflowExecutionStatus.CANCELED
    assert outcome.status == "cancelled" and "cancel" in outcome.message.lower()


def test_cancel_workflow_says_when_the_run_has_not_closed_within_the_wait():
    async def scenario():
        # No worker polls this queue: the cancel is requested, but nothing runs the workflow to close it.
        hook, workflow_id = TemporalHook(), new_id()
        run_id = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, task_queue(), {})
        closed = await hook.cancel_workflow(workflow_id, run_id, wait_seconds=1)
        described = await hook.describe(workflow_id, run_id)
        await terminate(workflow_id)
        return closed, described

    closed, described = asyncio.run(scenario())
    assert closed is False
    assert described.status == WorkflowExecutionStatus.RUNNING


def test_settings_read_synchronously_are_used_without_reading_the_connection_again(monkeypatch):
    hook = TemporalHook()
    settings = hook.get_settings()

    async def no_async_read(conn_id):
        raise AssertionError(f"the connection {conn_id} was read again")

    monkeypatch.setattr(hook, "aget_connection", no_async_read)

    async def scenario():
        workflow_id = new_id()
        run_id = await hook.start_or_attach_workflow("waitingWorkflow", workflow_id, task_queue(), {})
        described = await hook.describe(workflow_id, run_id)
        await terminate(workflow_id)
        return described

    described = asyncio.run(scenario())
    assert described.namespace == settings.namespace == "default"
