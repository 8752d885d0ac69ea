"""The Temporal connection: address, namespace, TLS and API key from an Airflow Connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow.sdk import BaseHook
from temporalio.client import Client


@dataclass(frozen=True)
class TemporalSettings:
    target: str
    namespace: str
    tls: bool
    api_key: str | None
    ui_url: str | None


def settings_from(conn: Any) -> TemporalSettings:
    """Connection `temporal`: host and port (default 7233), `extra.namespace` (default `default`),
    `extra.tls` (bool), the API key as the password, `extra.ui_url` for links to the Web UI."""
    extra = conn.extra_dejson or {}
    host = conn.host or "127.0.0.1"
    port = conn.port or 7233
    return TemporalSettings(
        target=f"{host}:{port}",
        namespace=extra.get("namespace") or conn.schema or "default",
        tls=bool(extra.get("tls", False)),
        api_key=conn.password or extra.get("api_key") or None,
        ui_url=(extra.get("ui_url") or "").rstrip("/") or None,
    )


class TemporalHook(BaseHook):
    conn_name_attr = "temporal_conn_id"
    default_conn_name = "temporal_default"
    conn_type = "temporal"
    hook_name = "Temporal"

    def __init__(self, temporal_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.temporal_conn_id = temporal_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login", "schema"],
            "relabeling": {"host": "Temporal frontend host", "port": "Port (7233)", "password": "API key"},
            "placeholders": {"extra": '{"namespace": "default", "tls": false, "ui_url": "http://127.0.0.1:8233"}'},
        }

    def get_settings(self) -> TemporalSettings:
        return settings_from(self.get_connection(self.temporal_conn_id))

    async def aget_settings(self) -> TemporalSettings:
        return settings_from(await self.aget_connection(self.temporal_conn_id))

    @staticmethod
    async def connect(settings: TemporalSettings) -> Client:
        return await Client.connect(settings.target, namespace=settings.namespace, tls=settings.tls, api_key=settings.api_key)

    async def get_client(self) -> Client:
        """A client from the connection, read asynchronously (triggerer-safe)."""
        return await self.connect(await self.aget_settings())

    def get_conn(self) -> TemporalSettings:
        return self.get_settings()
