"""TemporalHook: the connection's booleans, TLS on whenever an API key is sent (off only when asked),
a CA bundle, an mTLS client certificate and a server name — and a real connection without TLS."""

import asyncio
import json
import logging
import re

import pytest
from airflow.sdk import Connection
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import TLSConfig

from arxiv_mlops_airflow.hooks.temporal import TLS_FIELDS, TemporalHook, parse_bool, settings_from

CA = "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nsecret-key\n-----END PRIVATE KEY-----\n"


def connection(extra: dict | None = None, api_key: str | None = None) -> Connection:
    return Connection(conn_id="temporal_test", conn_type="temporal", host="temporal.example.com", port=7233, password=api_key, extra=json.dumps(extra or {}))


@pytest.mark.parametrize("value", [True, 1, "true", "TRUE", " True ", "1", "yes", "Yes", "on", "ON"])
def test_true_words(value):
    assert parse_bool(value, "extra.tls") is True


@pytest.mark.parametrize("value", [False, 0, "false", "False", "0", "no", "NO", "off", " Off"])
def test_false_words(value):
    assert parse_bool(value, "extra.tls") is False


@pytest.mark.parametrize("value", ["maybe", "", "2", 2, 1.0, None, [], {"on": True}])
def test_anything_else_is_an_error_naming_the_field(value):
    with pytest.raises(ValueError, match=re.escape(f"extra.tls must be a boolean (true/false, yes/no, on/off, 1/0), not {value!r}")):
        parse_bool(value, "extra.tls")


def test_no_api_key_and_no_tls_setting_is_plaintext():
    settings = settings_from(connection())
    assert (settings.namespace, settings.tls, settings.api_key) == ("default", False, None)


def test_an_api_key_turns_tls_on():
    settings = settings_from(connection(api_key="k-123"))
    assert (settings.tls, settings.api_key) == (True, "k-123")
    assert settings_from(connection({"api_key": "k-456"})).tls is True


@pytest.mark.parametrize("off", [False, "false", "False", "0", "no", "off"])
def test_tls_false_as_text_or_bool_is_off(off):
    assert settings_from(connection({"tls": off})).tls is False


@pytest.mark.parametrize("on", [True, "true", "1", "yes", "on"])
def test_tls_true_without_an_api_key_is_on(on):
    assert settings_from(connection({"tls": on})).tls is True


def test_an_api_key_goes_in_clear_only_when_tls_is_explicitly_off_and_that_is_logged(caplog):
    with caplog.at_level(logging.WARNING):
        settings = settings_from(connection({"tls": "off"}, api_key="k-123"))
    assert (settings.tls, settings.api_key) == (False, "k-123")
    assert "connection temporal_test: extra.tls is false, so the API key is sent in clear text" in caplog.text
    assert "k-123" not in caplog.text


def test_a_bad_tls_value_names_the_connection_and_field():
    with pytest.raises(ValueError, match=re.escape("connection temporal_test: extra.tls must be a boolean (true/false, yes/no, on/off, 1/0), not 'sometimes'")):
        settings_from(connection({"tls": "sometimes"}, api_key="k"))


def test_ca_bundle_client_certificate_and_server_name_from_files(tmp_path):
    (tmp_path / "ca.pem").write_text(CA)
    (tmp_path / "client.pem").write_text(CERT)
    (tmp_path / "client.key").write_text(KEY)
    extra = {
        "tls_ca_path": str(tmp_path / "ca.pem"),
        "tls_client_cert_path": str(tmp_path / "client.pem"),
        "tls_client_private_key_path": str(tmp_path / "client.key"),
        "tls_server_name": "frontend.temporal.internal",
    }
    settings = settings_from(connection(extra, api_key="k"))
    assert settings.tls == TLSConfig(server_root_ca_cert=CA.encode(), client_cert=CERT.encode(), client_private_key=KEY.encode(), domain="frontend.temporal.internal")
    assert settings.connect_kwargs() == {"namespace": "default", "tls": settings.tls, "api_key": "k"}


def test_inline_pems_turn_tls_on_even_without_an_api_key():
    settings = settings_from(connection({"tls_ca": CA, "tls_client_cert": CERT, "tls_client_private_key": KEY}))
    assert settings.tls == TLSConfig(server_root_ca_cert=CA.encode(), client_cert=CERT.encode(), client_private_key=KEY.encode())
    assert settings_from(connection({"tls_server_name": "frontend.temporal.internal"})).tls == TLSConfig(domain="frontend.temporal.internal")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tls_ca": CA, "tls_ca_path": "/etc/ca.pem"}, "give extra.tls_ca or extra.tls_ca_path, not both"),
        ({"tls_client_cert": CERT}, "an mTLS client needs both extra.tls_client_cert(_path) and extra.tls_client_private_key(_path)"),
        ({"tls_client_private_key": KEY}, "an mTLS client needs both"),
        ({"tls": False, "tls_ca": CA}, "extra.tls is false but TLS files or a server name are set"),
        ({"tls_ca_path": "/nonexistent/ca.pem"}, "extra.tls_ca_path: cannot read /nonexistent/ca.pem: No such file or directory"),
        ({"tls_ca_file": "/etc/ca.pem"}, "unknown TLS field(s) extra.tls_ca_file"),
    ],
)
def test_inconsistent_tls_settings_are_errors(extra, message):
    with pytest.raises(ValueError, match=re.escape(f"connection temporal_test: {message}")):
        settings_from(connection(extra))


def connection_to(host: str, extra: dict) -> Connection:
    return Connection(conn_id="temporal_test", conn_type="temporal", host=host, port=7233, extra=json.dumps(extra))


@pytest.mark.parametrize(
    ("host", "extra", "message"),
    [
        ("https://temporal.example.com", {}, "host must be a host name or address, not 'https://temporal.example.com'"),
        ("temporal.example.com/ns", {}, "host must be a host name or address"),
        ("temporal.example.com", {"ui_url": "javascript:alert(1)"}, "extra.ui_url must be an http(s) URL of the Temporal Web UI, not 'javascript:alert(1)'"),
        ("temporal.example.com", {"ui_url": "127.0.0.1:8233"}, "extra.ui_url must be an http(s) URL"),
    ],
)
def test_a_host_with_a_scheme_or_a_ui_url_that_is_not_http_is_an_error(host, extra, message):
    with pytest.raises(ValueError, match=re.escape(f"connection temporal_test: {message}")):
        settings_from(connection_to(host, extra))


def test_the_settings_repr_shows_no_secret():
    settings = settings_from(connection({"tls_ca": CA, "tls_client_cert": CERT, "tls_client_private_key": KEY}, api_key="k-secret-123"))
    shown = repr(settings)
    assert "temporal.example.com:7233" in shown
    assert "k-secret-123" not in shown and "secret-key" not in shown


def test_connect_passes_the_decided_tls_and_the_api_key(monkeypatch):
    calls = []

    async def fake_connect(target, **kwargs):
        calls.append((target, kwargs))
        return "client"

    monkeypatch.setattr(Client, "connect", fake_connect)
    assert asyncio.run(TemporalHook.connect(settings_from(connection({"namespace": "ml"}, api_key="k")))) == "client"
    assert asyncio.run(TemporalHook.connect(settings_from(connection({"tls": "false"})))) == "client"
    assert calls == [
        ("temporal.example.com:7233", {"namespace": "ml", "tls": True, "api_key": "k"}),
        ("temporal.example.com:7233", {"namespace": "default", "tls": False, "api_key": None}),
    ]


def test_the_ui_placeholder_shows_only_fields_the_hook_reads():
    extra = json.loads(TemporalHook.get_ui_field_behaviour()["placeholders"]["extra"])
    assert {"namespace", "ui_url", "tls", "tls_ca_path", "tls_client_cert_path", "tls_client_private_key_path", "tls_server_name"} <= set(extra)
    assert set(extra) - {"namespace", "ui_url"} <= TLS_FIELDS


@pytest.mark.parametrize("tls", [None, "off", "false", "0"])
def test_connects_to_the_dev_server_without_tls_and_describes_the_namespace(monkeypatch, tls):
    from conftest import TEMPORAL_ADDRESS

    host, port = TEMPORAL_ADDRESS.rsplit(":", 1)
    extra = {"namespace": "default"} if tls is None else {"namespace": "default", "tls": tls}
    monkeypatch.setenv("AIRFLOW_CONN_TEMPORAL_PLAIN", json.dumps({"conn_type": "temporal", "host": host, "port": int(port), "extra": extra}))

    async def describe():
        client = await asyncio.wait_for(TemporalHook("temporal_plain").get_client(), 20)
        return await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"))

    assert asyncio.run(describe()).namespace_info.name == "default"


def test_with_an_api_key_and_no_tls_setting_a_plaintext_server_is_refused_not_sent_the_key(monkeypatch):
    from conftest import TEMPORAL_ADDRESS

    host, port = TEMPORAL_ADDRESS.rsplit(":", 1)
    monkeypatch.setenv("AIRFLOW_CONN_TEMPORAL_KEYED", json.dumps({"conn_type": "temporal", "host": host, "port": int(port), "password": "k-123", "extra": {"namespace": "default"}}))
    # The dev server speaks plaintext: the TLS handshake fails before any request (and its key) is sent.
    with pytest.raises(RuntimeError, match="Failed client connect"):
        asyncio.run(asyncio.wait_for(TemporalHook("temporal_keyed").get_client(), 30))
