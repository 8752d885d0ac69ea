"""Training only starts when there is new data: the ingestion brought enough papers, or the buffer holds them."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseSensorOperator


def enough_new_papers(ingest_result: Any, min_new_papers: int) -> bool:
    return isinstance(ingest_result, dict) and int(ingest_result.get("embedded") or 0) >= min_new_papers


class RedisStreamSensor(BaseSensorOperator):
    """True when `ingest_result` (the ingestion workflow's summary, usually from XCom) says at least
    `min_new_papers` papers were stored, or when the Redis stream `stream` holds at least
    `min_entries` entries. Use `mode="reschedule"` (no slot held between pokes) and `soft_fail=True`
    to skip what follows when nothing arrives in time."""

    template_fields = ("stream", "ingest_result", "min_new_papers", "min_entries")

    def __init__(self, *, redis_url: str, stream: str, min_entries: int = 1, ingest_result: Any = None, min_new_papers: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redis_url = redis_url
        self.stream = stream
        self.min_entries = min_entries
        self.ingest_result = ingest_result
        self.min_new_papers = min_new_papers

    def poke(self, context: Any) -> bool:
        if enough_new_papers(self.ingest_result, int(self.min_new_papers)):
            self.log.info("the ingestion stored %s papers (≥ %s): new data", self.ingest_result.get("embedded"), self.min_new_papers)
            return True
        import redis  # imported here: DAG parsing need not load it

        client = redis.Redis.from_url(self.redis_url)
        try:
            length = int(client.xlen(self.stream))
        finally:
            client.close()
        self.log.info("stream %s holds %d entries (want ≥ %s)", self.stream, length, self.min_entries)
        return length >= int(self.min_entries)
