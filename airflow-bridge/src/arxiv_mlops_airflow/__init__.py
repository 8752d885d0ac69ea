"""arxiv-mlops for Airflow: a Temporal connection type, a deferrable operator that starts a
workflow and awaits it in the triggerer, the trigger itself, and a sensor on the Redis buffer."""

__version__ = "0.1.0"


def get_provider_info() -> dict:
    """What Airflow reads through the `apache_airflow_provider` entry point."""
    return {
        "package-name": "arxiv-mlops-airflow",
        "name": "arxiv-mlops",
        "description": "Start and await the arxiv-mlops Temporal workflows (ingest, train, monitor) from Airflow.",
        "versions": [__version__],
        "connection-types": [
            {"connection-type": "temporal", "hook-class-name": "arxiv_mlops_airflow.hooks.temporal.TemporalHook"},
        ],
        "extra-links": ["arxiv_mlops_airflow.links.TemporalWorkflowLink"],
    }
