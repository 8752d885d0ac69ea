"""RedisStreamSensor: new data from the ingestion's result, or entries waiting in the real Redis
stream, reached through an Airflow connection of type redis (`redis_default` from conftest)."""

import json
import uuid

import pytest
import redis

from airflow.dag_processing.dagbag import DagBag
from arxiv_mlops_airflow.sensors.redis_stream import RedisStreamSensor, enough_new_papers
from conftest import BRIDGE, REDIS_URL, redis_connection


def sensor(stream: str, **kwargs) -> RedisStreamSensor:
    return RedisStreamSensor(task_id=f"new_data_{uuid.uuid4().hex[:6]}", stream=stream, **kwargs)


def new_stream() -> str:
    return f"test:sensor:{uuid.uuid4().hex[:8]}"


def test_enough_papers_stored_by_the_ingestion_is_new_data():
    assert sensor("unused", ingest_result={"embedded": 600}, min_new_papers=500).poke({}) is True


def test_papers_stored_again_unchanged_are_not_new_data():
    redelivered = {"embedded": 900, "newPapers": 100, "revised": 50, "unchanged": 750}
    assert enough_new_papers(redelivered, 150) is True
    assert enough_new_papers(redelivered, 151) is False


def test_otherwise_the_stream_must_hold_enough_entries():
    stream = new_stream()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        check = sensor(stream, ingest_result={"embedded": 0}, min_new_papers=1, min_entries=2)
        assert check.redis_conn_id == "redis_default"
        assert check.poke({}) is False
        client.xadd(stream, {"paper": "1"})
        assert check.poke({}) is False
        client.xadd(stream, {"paper": "2"})
        assert check.poke({}) is True
    finally:
        client.delete(stream)
        client.close()


def test_no_ingestion_result_and_an_empty_stream_is_no_new_data():
    assert sensor(new_stream(), ingest_result=None).poke({}) is False


def test_the_connection_chooses_the_redis_server_and_database(monkeypatch):
    stream = new_stream()
    other_db = redis_connection(REDIS_URL)
    other_db["extra"]["db"] = 3
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_BUFFER_DB3", json.dumps(other_db))
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_NOWHERE", "redis://127.0.0.1:1")
    client = redis.Redis.from_url(REDIS_URL, db=3)
    try:
        client.xadd(stream, {"paper": "1"})
        assert sensor(stream, redis_conn_id="redis_buffer_db3").poke({}) is True
        assert sensor(stream).poke({}) is False  # redis_default: database 0
        with pytest.raises(redis.ConnectionError):
            sensor(stream, redis_conn_id="redis_nowhere").poke({})
    finally:
        client.delete(stream)
        client.close()


def test_the_connection_stream_and_thresholds_are_templated():
    check = sensor(
        "{{ params.stream }}",
        redis_conn_id="{{ params.conn }}",
        ingest_result="{{ params.summary }}",
        min_new_papers="{{ params.papers }}",
        min_entries="{{ params.entries }}",
    )
    check.render_template_fields({"params": {"stream": "test:rendered", "conn": "redis_other", "summary": "", "papers": 5, "entries": 2}})
    assert (check.stream, check.redis_conn_id, check.min_new_papers, check.min_entries) == ("test:rendered", "redis_other", "5", "2")


def test_the_dags_new_data_check_renders_its_connection_and_stream():
    dag = DagBag(dag_folder=str(BRIDGE / "dags")).dags["arxiv_ct_cm"]
    task = dag.get_task("new_data")

    class TaskInstance:
        def xcom_pull(self, task_ids):
            assert task_ids == "ingest"
            return {"embedded": 0}

    task.render_template_fields({"params": {**dag.params.dump(), "redis_conn_id": "redis_buffer", "buffer_stream": "test:papers"}, "ti": TaskInstance()})
    assert (task.redis_conn_id, task.stream, task.ingest_result, task.min_new_papers) == ("redis_buffer", "test:papers", {"embedded": 0}, 1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"min_new_papers": "many"}, "min_new_papers must be a whole number ≥ 0, not 'many'"),
        ({"min_new_papers": -1}, "min_new_papers must be a whole number ≥ 0"),
        ({"min_entries": 1.5}, "min_entries must be a whole number ≥ 0"),
        ({"ingest_result": "{'embedded': 600}"}, "ingest_result must be the ingestion's summary .* render_template_as_native_obj"),
        ({"ingest_result": {"embedded": "lots"}}, r"ingest_result\['embedded'\] must be a whole number"),
    ],
)
def test_a_bad_threshold_or_summary_fails_with_what_is_wrong(arguments, message):
    with pytest.raises(ValueError, match=message):
        sensor(new_stream(), **arguments).poke({})


def test_an_empty_stream_name_is_a_mistake_not_an_empty_buffer():
    with pytest.raises(ValueError, match="stream must name the Redis stream"):
        sensor("").poke({})
