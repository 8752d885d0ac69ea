"""The "Temporal" button of a task: the Web UI page of the workflow run the task started."""

from __future__ import annotations

from urllib.parse import quote

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

XCOM_KEY = "temporal_workflow"


def workflow_url(ui_url: str, namespace: str, workflow_id: str, run_id: str) -> str:
    return f"{ui_url}/namespaces/{quote(namespace, safe='')}/workflows/{quote(workflow_id, safe='')}/{quote(run_id, safe='')}/history"


class TemporalWorkflowLink(BaseOperatorLink):
    name = "Temporal"

    def get_link(self, operator, *, ti_key) -> str:
        started = XCom.get_value(ti_key=ti_key, key=XCOM_KEY)
        if not started or not started.get("ui_url"):
            return ""
        return workflow_url(started["ui_url"], started["namespace"], started["workflow_id"], started["run_id"])
