"""RedisStreamSensor: new data from the ingestion's result, or entries waiting in the real Redis stream."""

import os
import uuid

import redis

from arxiv_mlops_airflow.sensors.redis_stream import RedisStreamSensor

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


def sensor(stream: str, **kwargs) -> RedisStreamSensor:
    return RedisStreamSensor(task_id=f"new_data_{uuid.uuid4().hex[:6]}", redis_url=REDIS_URL, stream=stream, **kwargs)


def test_enough_papers_stored_by_the_ingestion_is_new_data():
    assert sensor("unused", ingest_result={"embedded": 600}, min_new_papers=500).poke({}) is True


def test_otherwise_the_stream_must_hold_enough_entries():
    stream = f"test:sensor:{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        check = sensor(stream, ingest_result={"embedded": 0}, min_new_papers=1, min_entries=2)
        assert check.poke({}) is False
        client.xadd(stream, {"paper": "1"})
        assert check.poke({}) is False
        client.xadd(stream, {"paper": "2"})
        assert check.poke({}) is True
    finally:
        client.delete(stream)
        client.close()


def test_no_ingestion_result_and_an_empty_stream_is_no_new_data():
    assert sensor(f"test:sensor:{uuid.uuid4().hex[:8]}", ingest_result=None).poke({}) is False
