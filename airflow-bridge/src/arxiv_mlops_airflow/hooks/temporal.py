"""The Temporal hook: the connection (address, namespace, TLS and API key from an Airflow
Connection) and every call the provider makes to Temporal — start or attach, describe, await,
cancel. The operator and the trigger reach Temporal only through it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from airflow.sdk import BaseHook
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import CancelledError, WorkflowAlreadyStartedError
from temporalio.service import TLSConfig

log = logging.getLogger(__name__)

# How long `cancel_workflow` waits for the cancelled run to close.
CANCEL_WAIT_SECONDS = 30

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})

# The PEM fields of `extra`: each given inline or as a file path (`<name>_path`), not both. The
# client key's name contains "private_key" so that Airflow masks it in logs and in the UI.
PEM_FIELDS = {"tls_ca": "server_root_ca_cert", "tls_client_cert": "client_cert", "tls_client_private_key": "client_private_key"}
TLS_FIELDS = frozenset({"tls", "tls_server_name", *PEM_FIELDS, *(f"{name}_path" for name in PEM_FIELDS)})


def parse_bool(value: Any, field_name: str) -> bool:
    """A connection field's boolean: a bool, 0/1, or true/false, yes/no, on/off, 1/0 in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(f"{field_name} must be a boolean (true/false, yes/no, on/off, 1/0), not {value!r}")


@dataclass(frozen=True)
class TemporalSettings:
    target: str
    namespace: str
    # False: plaintext; True: TLS verified against the system's CAs; a TLSConfig: a CA bundle, a
    # client certificate (mTLS) or a server name. Left out of repr: it may hold a private key.
    tls: bool | TLSConfig = field(repr=False)
    api_key: str | None = field(repr=False)
    ui_url: str | None

    def connect_kwargs(self) -> dict[str, Any]:
        """What `Client.connect` receives besides the target (`tls` always explicit: decided here)."""
        return {"namespace": self.namespace, "tls": self.tls, "api_key": self.api_key}


def _pem(extra: dict[str, Any], name: str, where: str) -> bytes | None:
    inline, path = extra.get(name), extra.get(f"{name}_path")
    if inline and path:
        raise ValueError(f"{where}: give extra.{name} or extra.{name}_path, not both")
    if inline:
        return str(inline).encode()
    if path:
        try:
            return Path(str(path)).expanduser().read_bytes()
        except OSError as error:
            raise ValueError(f"{where}: extra.{name}_path: cannot read {path}: {error.strerror or error}") from error
    return None


def tls_from(extra: dict[str, Any], api_key: str | None, where: str = "Temporal connection") -> bool | TLSConfig:
    """TLS is on when `extra.tls` says so, or when it is unset and an API key or a TLS file is set;
    off only when there is nothing to protect or `extra.tls` is explicitly false."""
    unknown = sorted(key for key in extra if key.startswith("tls") and key not in TLS_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown TLS field(s) {', '.join('extra.' + key for key in unknown)} (known: {', '.join(sorted(TLS_FIELDS))})")
    pems = {option: _pem(extra, name, where) for name, option in PEM_FIELDS.items()}
    server_name = extra.get("tls_server_name") or None
    if (pems["client_cert"] is None) != (pems["client_private_key"] is None):
        raise ValueError(f"{where}: an mTLS client needs both extra.tls_client_cert(_path) and extra.tls_client_private_key(_path)")
    configured = server_name is not None or any(value is not None for value in pems.values())
    asked = None if extra.get("tls") is None else parse_bool(extra["tls"], f"{where}: extra.tls")
    if asked is False:
        if configured:
            raise ValueError(f"{where}: extra.tls is false but TLS files or a server name are set")
        if api_key:
            log.warning("%s: extra.tls is false, so the API key is sent in clear text", where)
        return False
    if configured:
        return TLSConfig(domain=server_name, **pems)
    return bool(asked) or bool(api_key)


def settings_from(conn: Any) -> TemporalSettings:
    """Connection `temporal`: host and port (default 7233), `extra.namespace` (default `default`),
    the API key as the password, `extra.ui_url` for links to the Web UI, and TLS (see `tls_from`):
    `extra.tls`, `extra.tls_ca(_path)`, `extra.tls_client_cert(_path)` with
    `extra.tls_client_private_key(_path)`, `extra.tls_server_name`."""
    where = f"connection {conn.conn_id or 'temporal'}"
    extra = conn.extra_dejson or {}
    host = conn.host or "127.0.0.1"
    if "://" in host or "/" in host:
        raise ValueError(f"{where}: host must be a host name or address, not {host!r} (TLS is chosen with extra.tls, the port with port)")
    port = conn.port or 7233
    ui_url = (extra.get("ui_url") or "").rstrip("/") or None
    if ui_url is not None and urlsplit(ui_url).scheme not in ("http", "https"):
        raise ValueError(f"{where}: extra.ui_url must be an http(s) URL of the Temporal Web UI, not {ui_url!r}")
    api_key = conn.password or extra.get("api_key") or None
    return TemporalSettings(
        target=f"{host}:{port}",
        namespace=extra.get("namespace") or conn.schema or "default",
        tls=tls_from(extra, api_key, where),
        api_key=api_key,
        ui_url=ui_url,
    )


def failure_message(error: BaseException) -> str:
    """The innermost cause of a workflow failure: what actually went wrong, not just "workflow failed"."""
    messages = []
    current: BaseException | None = error
    while current is not None:
        text = str(getattr(current, "message", None) or current)
        if text and text not in messages:
            messages.append(text)
        current = current.__cause__
    return ": ".join(messages) or type(error).__name__


@dataclass(frozen=True)
class WorkflowOutcome:
    """How a workflow run closed: `success` with its result, `cancelled`, or `error` (failed,
    terminated, timed out), the last two with the failure's message."""

    status: Literal["success", "cancelled", "error"]
    result: Any = None
    message: str | None = None


class TemporalHook(BaseHook):
    """The `temporal` connection, and the provider's calls to Temporal. The Temporal client is
    asynchronous, so are these calls: the triggerer awaits them, a worker runs them with
    `asyncio.run`. A client is not reused across event loops: each call connects."""

    conn_name_attr = "temporal_conn_id"
    default_conn_name = "temporal_default"
    conn_type = "temporal"
    hook_name = "Temporal"

    def __init__(self, temporal_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.temporal_conn_id = temporal_conn_id
        self._settings: TemporalSettings | None = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login", "schema"],
            "relabeling": {"host": "Temporal frontend host", "port": "Port (7233)", "password": "API key (TLS on unless extra.tls is false)"},
            "placeholders": {
                "host": "127.0.0.1",
                "port": "7233",
                "extra": '{"namespace": "default", "ui_url": "http://127.0.0.1:8233", "tls": true, '
                '"tls_ca_path": "/certs/ca.pem", "tls_client_cert_path": "/certs/client.pem", '
                '"tls_client_private_key_path": "/certs/client.key", "tls_server_name": "temporal.example.com"}',
            },
        }

    def get_settings(self) -> TemporalSettings:
        """The connection's settings, read synchronously (in a worker); later calls of this hook use them."""
        self._settings = settings_from(self.get_connection(self.temporal_conn_id))
        return self._settings

    async def aget_settings(self) -> TemporalSettings:
        """The connection's settings, read asynchronously (triggerer-safe); later calls of this hook use them."""
        self._settings = settings_from(await self.aget_connection(self.temporal_conn_id))
        return self._settings

    @staticmethod
    async def connect(settings: TemporalSettings) -> Client:
        return await Client.connect(settings.target, **settings.connect_kwargs())

    async def get_client(self) -> Client:
        """A client from the settings already read (`get_settings` in a worker), else from the
        connection read asynchronously (triggerer-safe)."""
        return await self.connect(self._settings or await self.aget_settings())

    def get_conn(self) -> TemporalSettings:
        return self.get_settings()

    async def get_workflow_handle(self, workflow_id: str, run_id: str | None = None) -> WorkflowHandle:
        """The handle of one run (`run_id`), or of the latest run of `workflow_id` (None)."""
        return (await self.get_client()).get_workflow_handle(workflow_id, run_id=run_id)

    async def start_or_attach_workflow(
        self, workflow: str, workflow_id: str, task_queue: str, argument: Any = None, execution_timeout: timedelta | None = None
    ) -> str:
        """Starts `workflow` (a type name) with one argument (none when None), or returns the run
        already under this id: running (conflict policy "use existing") or completed successfully
        (reuse allowed only after a failure, a cancellation, a termination or a timeout). Returns its run id."""
        client = await self.get_client()
        try:
            handle = await client.start_workflow(
                workflow,
                *([] if argument is None else [argument]),
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                execution_timeout=execution_timeout,
            )
            return handle.result_run_id or handle.first_execution_run_id or ""
        except WorkflowAlreadyStartedError:
            described = await client.get_workflow_handle(workflow_id).describe()
            return described.run_id

    async def describe(self, workflow_id: str, run_id: str | None = None) -> WorkflowExecutionDescription:
        """Where and how a run is: its status, type, task queue, run id, start and close times."""
        return await (await self.get_workflow_handle(workflow_id, run_id)).describe()

    async def wait_for_workflow(self, workflow_id: str, run_id: str) -> WorkflowOutcome:
        """Awaits the run to its close — following continue-as-new and retries to the final result —
        and says how it closed. Not reaching Temporal is an exception, not an outcome."""
        handle = await self.get_workflow_handle(workflow_id, run_id)
        try:
            result = await handle.result(follow_runs=True)
        except WorkflowFailureError as error:
            status = "cancelled" if isinstance(error.cause, CancelledError) else "error"
            return WorkflowOutcome(status, message=failure_message(error))
        return WorkflowOutcome("success", result=result)

    async def cancel_workflow(self, workflow_id: str, run_id: str | None = None, wait_seconds: float = CANCEL_WAIT_SECONDS) -> bool:
        """Requests the run's cancellation, then waits (at most `wait_seconds`) for it to close, so
        that a retry does not attach to a run still being cancelled. True when it closed in time
        (cancelled — the expected end — or otherwise), False when it is still closing."""
        handle = await self.get_workflow_handle(workflow_id, run_id)
        await handle.cancel()
        try:
            await asyncio.wait_for(handle.result(), wait_seconds)
        except WorkflowFailureError:
            return True
        except Exception:  # noqa: BLE001 - still closing (the wait timed out), or the wait itself failed
            return False
        return True
