"""A retried answer is fetched from Aha! again, never replayed from the request cache, and a
failed connection is said as what it is (issue 12).

The parent streams' pages are cached by requests-cache, which saves a response before the error
handler sees it. These tests read the parent copies of `ideas` through that cache, and fail
connections in-process: `socket.getaddrinfo` raises `socket.gaierror` for a DNS failure (no query
leaves the machine) and a closed 127.0.0.1 port refuses the connection.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time

import pytest
import requests
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.http.error_handlers import ResponseAction
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from source_aha.components import OutageAwareErrorHandler, network_cause, public_host
from source_aha.run import run
from testkit.ports import dropping_port, free_port
from unit_tests.conftest import read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_record_of, a_response_of

_JSON = {"Content-Type": "application/json"}


def _handler() -> OutageAwareErrorHandler:
    return OutageAwareErrorHandler(config={}, parameters={})


def test_a_truncated_ideas_page_is_fetched_again_for_the_stream_and_its_parent_copies() -> None:
    ideas = AhaRequestBuilder.ideas_endpoint().build()
    idea = a_record_of("ideas").with_id("1001")
    good = a_response_of("ideas").with_records(idea).with_page(1, 1).build()
    comments = AhaRequestBuilder.idea_comments_endpoint("1001").build()
    internal = AhaRequestBuilder.idea_internal_comments_endpoint("1001").build()
    with HttpMocker() as http_mocker:
        # Every read of /ideas after the first gets the good page; a replay of the cached
        # truncated page would fail the read after max_retries.
        http_mocker.get(ideas, [HttpResponse('{"ideas": [{"id": "10', 200, _JSON), good])
        http_mocker.get(comments, a_response_of("idea_comments").with_page(1, 1).build())
        http_mocker.get(internal, a_response_of("idea_internal_comments").with_page(1, 1).build())

        output = read_streams(
            ["ideas", "idea_comments", "idea_internal_comments"],
            SyncMode.full_refresh,
            ConfigBuilder().build(),
        )

        assert [m.record.data["id"] for m in output.records] == ["1001"]
        assert not output.errors
        http_mocker.assert_number_of_calls(ideas, 2)


def _failed_request(url: str) -> requests.RequestException:
    try:
        requests.get(url, timeout=5)
    except requests.RequestException as error:
        return error
    raise AssertionError(f"{url} answered")


def _dns_failure(monkeypatch: pytest.MonkeyPatch, errno: int) -> requests.RequestException:
    def fail(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(errno, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    return _failed_request("https://nosuchaccount.aha.io/api/v1/ideas")


def _answered_handler() -> OutageAwareErrorHandler:
    """A handler of a sync whose host has answered once."""
    handler = _handler()
    handler.interpret_response(_ok())
    return handler


def _ok() -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = 200, b'{"ideas": []}'
    response.headers["Content-Type"] = "application/json"
    return response


def test_a_name_that_does_not_resolve_before_any_answer_is_a_config_error_naming_subdomain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = _dns_failure(monkeypatch, socket.EAI_NONAME)

    resolution = _handler().interpret_response(error)

    assert network_cause(error) == "the name does not resolve"
    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.config_error
    assert resolution.error_message == (
        "Cannot reach nosuchaccount.aha.io: the name does not resolve. Check `subdomain`."
    )


def test_a_name_that_stops_resolving_after_the_host_answered_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = _answered_handler()
    error = _dns_failure(monkeypatch, socket.EAI_NONAME)

    resolution = handler.interpret_response(error)

    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.error_message == (
        "Cannot reach nosuchaccount.aha.io: the name does not resolve; retrying."
    )


def test_a_temporary_dns_failure_is_retried_even_before_any_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = _dns_failure(monkeypatch, socket.EAI_AGAIN)

    resolution = _handler().interpret_response(error)

    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.error_message == (
        "Cannot reach nosuchaccount.aha.io: DNS lookup failed; retrying."
    )


def test_a_refused_connection_is_a_config_error_first_and_retried_once_the_host_answered() -> None:
    port = free_port()
    error = _failed_request(f"http://127.0.0.1:{port}/api/v1/ideas")
    config = {"base_url": f"http://127.0.0.1:{port}"}

    first = OutageAwareErrorHandler(config=config, parameters={}).interpret_response(error)
    later = _answered_handler().interpret_response(error)

    assert (first.response_action, first.failure_type) == (
        ResponseAction.FAIL,
        FailureType.config_error,
    )
    assert first.error_message == (
        f"Cannot reach 127.0.0.1:{port}: connection refused. Check `base_url`."
    )
    assert later.response_action == ResponseAction.RETRY
    assert later.error_message == f"Cannot reach 127.0.0.1:{port}: connection refused; retrying."


def _connect_timeout() -> requests.RequestException:
    """What a host that drops connections (a firewall) gives."""
    with dropping_port() as port:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/ideas", timeout=(0.3, 5))
        except requests.RequestException as error:
            return error
    raise AssertionError("the full queue accepted a connection")


def test_a_connect_timeout_is_a_config_error_first_and_retried_once_the_host_answered() -> None:
    error = _connect_timeout()
    host = public_host(error.request.url if error.request else None)

    first = OutageAwareErrorHandler(config={"base_url": f"http://{host}"}, parameters={})
    later = _answered_handler()

    resolution = first.interpret_response(error)

    assert isinstance(error, requests.exceptions.ConnectTimeout)
    assert resolution.failure_type == FailureType.config_error
    assert resolution.error_message == (
        f"Cannot reach {host}: no connection within the connect timeout. Check `base_url`."
    )
    assert later.interpret_response(error).response_action == ResponseAction.RETRY


def test_a_read_timeout_is_retried_even_before_any_answer() -> None:
    error = requests.exceptions.ReadTimeout("read timed out")

    resolution = _handler().interpret_response(error)

    assert network_cause(error) == "no answer within the read timeout"
    assert resolution.response_action == ResponseAction.RETRY


def test_a_tls_failure_is_named_as_such() -> None:
    error = requests.exceptions.SSLError("certificate verify failed")

    assert network_cause(error) == "TLS handshake failed"


def test_a_read_of_a_refused_host_stops_at_once_naming_base_url_without_saying_rate_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = ConfigBuilder().build() | {"base_url": f"http://127.0.0.1:{free_port()}"}

    with caplog.at_level(logging.INFO):
        output = read_streams(["ideas"], SyncMode.full_refresh, config, expecting_exception=True)

    logged = caplog.text + "".join(str(m.log.message) for m in output.logs)
    assert "Rate limit" not in logged
    # The first error: the stream's schema (its custom field columns) already needs the host.
    failure = output.errors[0].trace.error
    first_line = failure.message.splitlines()[0]
    assert first_line.startswith("Cannot reach 127.0.0.1:"), first_line
    assert first_line.endswith(": connection refused. Check `base_url`."), first_line
    assert failure.failure_type == FailureType.config_error


# `check` on an unreachable host ----------


def _check(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path, config) -> tuple[dict, float]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["source-aha", "check", "--config", str(path)])
    started = time.monotonic()
    run()
    elapsed = time.monotonic() - started
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    return status, elapsed


def test_check_on_a_name_that_does_not_resolve_fails_in_one_line_naming_subdomain(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    asked: list[object] = []

    def no_such_name(host: object, *args: object, **kwargs: object) -> None:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    config = ConfigBuilder().with_subdomain("nosuchaccount").build()

    status, elapsed = _check(monkeypatch, capsys, tmp_path, config)

    assert status["status"] == "FAILED"
    assert (
        "Cannot reach nosuchaccount.aha.io: the name does not resolve. Check `subdomain`."
        in status["message"]
    )
    assert asked == ["nosuchaccount.aha.io"]  # one lookup, no retries
    assert elapsed < 15


def test_check_on_a_refused_port_fails_in_one_line_naming_base_url(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    port = free_port()
    config = ConfigBuilder().build() | {"base_url": f"http://127.0.0.1:{port}"}

    status, elapsed = _check(monkeypatch, capsys, tmp_path, config)

    assert status["status"] == "FAILED"
    assert (
        f"Cannot reach 127.0.0.1:{port}: connection refused. Check `base_url`."
        in (status["message"])
    )
    assert elapsed < 15


def test_check_on_a_port_that_does_not_speak_tls_fails_naming_the_tls_handshake(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    # A plain-text server where https is expected: the handshake fails as it does on a proxy or
    # a server with a broken certificate setup.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def answer_in_plain_text() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(1024)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        thread = threading.Thread(target=answer_in_plain_text, daemon=True)
        thread.start()
        config = ConfigBuilder().build() | {"base_url": f"https://127.0.0.1:{port}"}

        status, elapsed = _check(monkeypatch, capsys, tmp_path, config)
        thread.join(timeout=5)

    assert status["status"] == "FAILED"
    assert (
        f"Cannot reach 127.0.0.1:{port}: TLS handshake failed. Check `base_url`."
        in (status["message"])
    )
    assert elapsed < 15
