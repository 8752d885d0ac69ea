"""arxiv_ct_cm: continuous training and monitoring of the arXiv classifier.

Airflow schedules and orders the stages (training only when there is new data); each stage is a
durable Temporal workflow of the TypeScript workers, started by type name and awaited in the
triggerer: ingest → new-data check → train → monitor → retrain on drift, or done.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task
from airflow.providers.standard.operators.empty import EmptyOperator

from arxiv_mlops_airflow.operators.temporal import TemporalWorkflowOperator
from arxiv_mlops_airflow.sensors.redis_stream import RedisStreamSensor


def seconds_from_env(name: str, default: int) -> int:
    text = os.environ.get(name, str(default)).strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"{name} must be a whole number of seconds ≥ 0, not {text!r}")
    return int(text)


# How long the new-data check waits for papers in the buffer before training is skipped (not a
# Param: Airflow reads a sensor's timeout when the DAG is parsed, not when a run renders it).
NEW_DATA_WAIT_SECONDS = seconds_from_env("ARXIV_CT_CM_NEW_DATA_WAIT_SECONDS", 60)
# Pokes every 15 s, or sooner when the wait is shorter (a sensor rescheduled past its timeout would
# idle a whole interval before it notices).
NEW_DATA_POKE_SECONDS = min(15, NEW_DATA_WAIT_SECONDS)
# Temporal ends a workflow that outlives every try of its task, so an abandoned run cannot linger.
WORKFLOW_TIMEOUT = timedelta(hours=18)
QUEUES = {"io": "{{ params.task_queue_io }}", "cpu": "{{ params.task_queue_cpu }}"}

def training(task_id: str) -> TemporalWorkflowOperator:
    """A training (the first one, or again on drift): it still has to beat the champion to be promoted."""
    return TemporalWorkflowOperator(
        task_id=task_id,
        workflow="trainWorkflow",
        task_queue="{{ params.task_queue_io }}",
        workflow_execution_timeout=WORKFLOW_TIMEOUT,
        argument={"taskQueues": QUEUES, "hyperparameters": {"maxEpochs": "{{ params.train_epochs }}"}, "candidates": "{{ params.train_candidates }}"},
    )


with DAG(
    dag_id="arxiv_ct_cm",
    description="ingest → new-data check → train → monitor → retrain on drift",
    schedule=os.environ.get("ARXIV_CT_CM_SCHEDULE", "@daily"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "execution_timeout": timedelta(hours=6)},
    dagrun_timeout=timedelta(hours=12),
    tags=["arxiv-mlops", "temporal"],
    params={
        "task_queue_io": Param("arxiv-mlops-io", type="string", minLength=1, description="Temporal task queue of the I/O worker"),
        "task_queue_cpu": Param("arxiv-mlops-cpu", type="string", minLength=1, description="Temporal task queue of the CPU worker"),
        "source": Param({"kind": "sample"}, type="object", description='what to ingest: {"kind": "sample"}, {"kind": "file", "path": …}, {"kind": "arxiv", "query": …}, {"kind": "oai", "set": …}'),
        "limit": Param(None, type=["null", "integer"], minimum=1, description="at most this many papers"),
        "embedder_dimensions": Param(None, type=["null", "integer"], minimum=2, description="LSA dimensions of a newly fitted embedder (default 384)"),
        "min_new_papers": Param(1, type="integer", minimum=0, description="train only when the ingestion stored at least this many papers"),
        "redis_conn_id": Param("redis_default", type="string", minLength=1, description="Airflow connection (type redis) of the Redis that holds the buffer stream"),
        "buffer_stream": Param(os.environ.get("BUFFER_STREAM", "arxiv:papers"), type="string", minLength=1, description="the Redis stream the ingestion buffers papers in"),
        "train_epochs": Param(None, type=["null", "integer"], minimum=1, description="at most this many epochs of an lsa-mlp candidate (default 40, early stopping)"),
        "train_candidates": Param(None, type=["null", "string"], minLength=1, description="the models a training tries, family[:name=value]… comma-separated, e.g. lsa-mlp,tfidf-linear:c=0.25 (default: the workers' TRAIN_CANDIDATES)"),
        "monitor_window_days": Param(1, type="number", exclusiveMinimum=0, description="monitor the papers ingested in this many days"),
        "drift_share": Param(0.5, type="number", minimum=0, maximum=1, description="dataset drift when at least this share of columns drifted"),
        "max_macro_f1_drop": Param(0.05, type="number", minimum=0, description="quality alert when macro-F1 falls by more"),
        "retrain_on_drift": Param(True, type="boolean", description="train again when the monitor finds drift or a quality alert"),
    },
) as dag:
    ingest = TemporalWorkflowOperator(
        task_id="ingest",
        workflow="ingestWorkflow",
        task_queue="{{ params.task_queue_io }}",
        workflow_execution_timeout=WORKFLOW_TIMEOUT,
        argument={
            "source": "{{ params.source }}",
            "limit": "{{ params.limit }}",
            "embedder": {"referenceSource": {"kind": "sample"}, "dimensions": "{{ params.embedder_dimensions }}"},
            "taskQueues": QUEUES,
        },
    )

    new_data = RedisStreamSensor(
        task_id="new_data",
        redis_conn_id="{{ params.redis_conn_id }}",
        stream="{{ params.buffer_stream }}",
        ingest_result="{{ ti.xcom_pull(task_ids='ingest') }}",
        min_new_papers="{{ params.min_new_papers }}",
        mode="reschedule",
        poke_interval=NEW_DATA_POKE_SECONDS,
        timeout=NEW_DATA_WAIT_SECONDS,
        soft_fail=True,
        retries=0,
    )

    train = training("train")

    monitor = TemporalWorkflowOperator(
        task_id="monitor",
        workflow="monitorWorkflow",
        task_queue="{{ params.task_queue_io }}",
        workflow_execution_timeout=WORKFLOW_TIMEOUT,
        argument={
            "taskQueues": QUEUES,
            "window": {"by": "ingested", "days": "{{ params.monitor_window_days }}"},
            "drift": {"driftShare": "{{ params.drift_share }}"},
            "maxMacroF1Drop": "{{ params.max_macro_f1_drop }}",
            # Airflow decides about retraining here (the branch below), so the monitor does not.
            "retrain": {"enabled": False},
        },
    )

    @task.branch(task_id="drifted")
    def drifted(summary: dict | None = None, **context) -> str:
        retrain = context["params"]["retrain_on_drift"]
        if summary and (summary.get("drift") or summary.get("qualityAlert")) and retrain:
            return "retrain"
        return "done"

    retrain = training("retrain")
    done = EmptyOperator(task_id="done")

    branch = drifted(monitor.output)
    ingest >> new_data >> train >> monitor
    branch >> [retrain, done]
