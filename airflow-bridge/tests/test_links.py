"""The "Temporal" extra link: the Web UI page of the run the task started."""

from arxiv_mlops_airflow.links import TemporalWorkflowLink, workflow_url
from arxiv_mlops_airflow.operators.temporal import TemporalWorkflowOperator


def test_the_url_is_the_runs_history_page_with_ids_escaped():
    assert workflow_url("http://127.0.0.1:8233", "default", "airflow-d-t-manual__2026-12-01T10:00:00+00:00", "01a2") == (
        "http://127.0.0.1:8233/namespaces/default/workflows/airflow-d-t-manual__2026-12-01T10%3A00%3A00%2B00%3A00/01a2/history"
    )


def test_the_operator_offers_the_link():
    assert [link.name for link in TemporalWorkflowOperator.operator_extra_links] == ["Temporal"]
    assert isinstance(TemporalWorkflowOperator.operator_extra_links[0], TemporalWorkflowLink)
