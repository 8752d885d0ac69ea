"""Workflows for the bridge's tests, one per outcome. Only temporalio imports here: Temporal's
sandbox re-imports this module for every workflow run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError


@workflow.defn(name="echoWorkflow")
class EchoWorkflow:
    @workflow.run
    async def run(self, argument: dict) -> dict:
        return {"echo": argument, "papers": 3}


@workflow.defn(name="failingWorkflow")
class FailingWorkflow:
    @workflow.run
    async def run(self, argument: dict) -> dict:
        raise ApplicationError(f"no papers in {argument.get('source')}", non_retryable=True)


@workflow.defn(name="waitingWorkflow")
class WaitingWorkflow:
    @workflow.run
    async def run(self, argument: dict) -> dict:
        await workflow.sleep(timedelta(hours=1))
        return {}
