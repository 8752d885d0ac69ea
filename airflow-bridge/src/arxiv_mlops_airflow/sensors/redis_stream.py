"""Training only starts when there is new data: the ingestion brought enough papers, or the buffer holds them."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseSensorOperator


def count(value: Any, name: str) -> int:
    """A non-negative whole number from an argument or a rendered template ("3" is fine, "three" is not)."""
    number = -1
    if not isinstance(value, bool) and not (isinstance(value, float) and not value.is_integer()):
        try:
            number = int(value)
        except (TypeError, ValueError):
            pass
    if number < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    return number


def enough_new_papers(ingest_result: Any, min_new_papers: int) -> bool:
    """True when the ingestion's summary says it stored at least `min_new_papers` new or revised papers
    (a re-delivery of papers already stored, unchanged, is no new data). The summary
    is a dict or None (no ingestion result): anything else is a DAG mistake, e.g. an XCom template
    rendered as text because the DAG does not render templates as native objects."""
    if ingest_result is None:
        return False
    if not isinstance(ingest_result, dict):
        raise ValueError(
            f"ingest_result must be the ingestion's summary (a dict) or None, not {type(ingest_result).__name__} {str(ingest_result)[:80]!r}: "
            "pass the ingest task's output (XComArg) or set render_template_as_native_obj=True on the DAG"
        )
    return papers_changed(ingest_result) >= min_new_papers


def papers_changed(ingest_result: dict) -> int:
    """Papers the ingestion stored that the store did not hold as they are: new plus revised ones.
    Summaries written before those counts existed give every paper stored (`embedded`)."""
    if "newPapers" in ingest_result and "revised" in ingest_result:
        return count(ingest_result["newPapers"] or 0, "ingest_result['newPapers']") + count(ingest_result["revised"] or 0, "ingest_result['revised']")
    return count(ingest_result.get("embedded") or 0, "ingest_result['embedded']")


class RedisStreamSensor(BaseSensorOperator):
    """True when `ingest_result` (the ingestion workflow's summary, usually from XCom) says at least
    `min_new_papers` papers were stored, or when the Redis stream `stream` holds at least
    `min_entries` entries. Redis is reached through the Airflow connection `redis_conn_id` (type
    `redis`, read by the Redis provider's hook). Use `mode="reschedule"` (no slot held between pokes)
    and `soft_fail=True` to skip what follows when nothing arrives in time."""

    template_fields = ("redis_conn_id", "stream", "ingest_result", "min_new_papers", "min_entries")

    def __init__(
        self,
        *,
        stream: str,
        redis_conn_id: str = "redis_default",
        min_entries: int | str = 1,
        ingest_result: Any = None,
        min_new_papers: int | str = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.redis_conn_id = redis_conn_id
        self.stream = stream
        self.min_entries = min_entries
        self.ingest_result = ingest_result
        self.min_new_papers = min_new_papers

    def poke(self, context: Any) -> bool:
        min_new_papers = count(self.min_new_papers, "min_new_papers")
        min_entries = count(self.min_entries, "min_entries")
        if not self.stream:
            raise ValueError("stream must name the Redis stream of the buffer")
        if enough_new_papers(self.ingest_result, min_new_papers):
            self.log.info("the ingestion stored %s new or revised papers (≥ %d): new data", papers_changed(self.ingest_result), min_new_papers)
            return True
        from airflow.providers.redis.hooks.redis import RedisHook  # here: DAG parsing need not load redis

        client = RedisHook(redis_conn_id=self.redis_conn_id).get_conn()
        try:
            length = int(client.xlen(self.stream))
        finally:
            client.close()
        self.log.info("stream %s holds %d entries (want ≥ %d) [redis connection %s]", self.stream, length, min_entries, self.redis_conn_id)
        return length >= min_entries
