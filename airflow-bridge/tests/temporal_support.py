"""Small Python workflows on a task queue of their own, so the trigger and operator can be tested
against the real Temporal dev server for each outcome (the TypeScript workflows are the
end-to-end test's business)."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.client import Client
from temporalio.worker import Worker

from conftest import TEMPORAL_ADDRESS
from sample_workflows import EchoWorkflow, FailingWorkflow, WaitingWorkflow


def task_queue() -> str:
    return f"airflow-bridge-test-{uuid.uuid4().hex[:8]}"


async def client() -> Client:
    return await Client.connect(TEMPORAL_ADDRESS)


class RunningWorker:
    """A worker for the test workflows, run in a background thread's event loop."""

    def __init__(self, queue: str) -> None:
        self.queue = queue

    async def __aenter__(self):
        self.client = await client()
        self.worker = Worker(self.client, task_queue=self.queue, workflows=[EchoWorkflow, FailingWorkflow, WaitingWorkflow])
        self.task = asyncio.create_task(self.worker.run())
        return self

    async def __aexit__(self, *exc):
        await self.worker.shutdown()
        await asyncio.gather(self.task, return_exceptions=True)
