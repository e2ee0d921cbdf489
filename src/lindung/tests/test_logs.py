"""No NIK, No. KK or search in any log line: the URLs carry none, and the filter on every handler
(lindung.logsafe) masks what a library might still log."""

import json
import logging
import re
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st

from lindung.accounts.tests.factories import UserFactory, operator_kecamatan
from lindung.logsafe import GunicornLogger, RedactPersonalData, redact
from lindung.ops.management.commands.serve import ACCESS_LOG_FORMAT, gunicorn_command
from lindung.registry.models import Worker
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role

NIK = "5203072805800001"
NO_KK = "5203070101090002"
WRITTEN = [NIK, "5203 0728 0580 0001", "5203-0728-0580-0001", "5203.0728.0580.0001"]
NIK_LIKE = re.compile(r"\d(?:[ .\-]?\d){15}")
HEADER = "No;NIK;No. KK;Nama Lengkap;JK;Tgl Lahir;Desa/Kelurahan;Kecamatan;Pekerjaan"
LOOKUP = "/api/v1/registry/workers/lookup"


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def _filtered(record: logging.LogRecord) -> str:
    RedactPersonalData().filter(record)
    return logging.Formatter("%(levelname)s %(message)s").format(record)


# --- the filter --------------------------------------------------------------------------------
@given(st.text())
def test_no_run_of_16_digits_survives_the_filter_in_any_text(text: str) -> None:
    assert NIK_LIKE.search(redact(text)) is None


@given(
    nik=st.text(alphabet="0123456789", min_size=16, max_size=16),
    separator=st.sampled_from(["", " ", "-", "."]),
    before=st.text(),
    after=st.text(),
)
def test_any_16_digit_number_in_a_message_or_its_arguments_is_masked(
    nik: str, separator: str, before: str, after: str
) -> None:
    written = separator.join(nik[i : i + 4] for i in range(0, 16, 4))
    for record in (
        _record(before + written + after),
        _record("%s %s", before + written, after),
        _record("%(nik)s", {"nik": written}),  # an argument dict, as gunicorn's access log passes
    ):
        line = _filtered(record)
        assert nik not in line and written not in line
        assert NIK_LIKE.search(line) is None


def test_a_nik_is_masked_the_way_the_pages_mask_it() -> None:
    assert _filtered(_record("Not Found: %s", f"/pekerja/{NIK}/")) == (
        "WARNING Not Found: /pekerja/5203********0001/"
    )
    assert redact("KK 5203 0701 0109 0002.") == "KK 5203********0002."


def test_query_strings_are_cut_from_request_lines() -> None:
    line = _filtered(_record('"%s" %s %s', "GET /pekerja/?q=siti+aminah&desil=2 HTTP/1.1", 200, 9))
    assert line == 'WARNING "GET /pekerja/ HTTP/1.1" 200 9'


def test_a_4xx_warning_is_one_line_without_its_traceback() -> None:
    try:
        raise PermissionError(NIK)
    except PermissionError:
        exc_info = sys.exc_info()
    forbidden = _record("Forbidden (Permission denied): %s", "/x/", status_code=403)
    forbidden.exc_info = exc_info
    assert _filtered(forbidden) == "WARNING Forbidden (Permission denied): /x/"

    failure = _record("Internal Server Error: %s", "/x/", status_code=500)
    failure.exc_info = exc_info
    lines = _filtered(failure).splitlines()
    assert lines[0] == "WARNING Internal Server Error: /x/" and "Traceback" in lines[1]
    assert "PermissionError: 5203********0001" in lines  # a 500 keeps its traceback, masked


def test_a_broken_log_call_is_still_written_masked() -> None:
    line = _filtered(_record("%s and %s", NIK))  # one argument for two placeholders
    assert NIK not in line and "5203********0001" in line


def test_every_handler_of_the_django_logging_config_has_the_filter() -> None:
    config = settings.LOGGING
    assert config["filters"]["redact"]["()"] == "lindung.logsafe.RedactPersonalData"
    assert all("redact" in h["filters"] for h in config["handlers"].values())
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert any(isinstance(f, RedactPersonalData) for f in console.filters)
    for name in ("django", "django.request", "django.server", "django.security.csrf", "axes"):
        logger = logging.getLogger(name)
        assert not logger.handlers and logger.propagate, name  # to the root's console only


def test_gunicorn_access_and_error_logs_are_masked_and_have_no_query_string(
    capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    from gunicorn.config import Config

    command = gunicorn_command(host="127.0.0.1", port=8000, workers=1)
    assert command[command.index("--logger-class") + 1] == "lindung.logsafe.GunicornLogger"
    assert command[command.index("--access-logformat") + 1] == ACCESS_LOG_FORMAT
    config = Config()
    config.set("accesslog", "-")
    config.set("errorlog", "-")
    config.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = GunicornLogger(config)
    request.addfinalizer(
        lambda: [log.handlers.clear() for log in (logger.error_log, logger.access_log)]
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/pekerja/?q={NIK}",
        "PATH_INFO": f"/api/v1/registry/workers/{NIK}",
        "QUERY_STRING": f"q={NIK}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="404 Not Found", sent=9, headers=[])
    request = SimpleNamespace(headers=[])
    logger.access(response, request, environ, SimpleNamespace(seconds=0, microseconds=1500))
    logger.error("Error handling request %s", f"/pekerja/?q=siti&nik={NIK}")
    written = capsys.readouterr()

    assert '"GET /api/v1/registry/workers/5203********0001" 404 9 1ms' in written.out
    assert "Error handling request /pekerja/\n" in written.err
    assert NIK not in written.out + written.err


# --- the routes --------------------------------------------------------------------------------
def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        else:
            routes.append(route)
    return routes


def test_no_route_takes_a_nik_no_kk_or_name_in_its_path() -> None:
    arguments = {
        argument
        for route in _routes(get_resolver().url_patterns)
        for argument in re.findall(r"<(?:\w+:)?(\w+)>", route)
    }
    assert arguments  # the walk found the routes with arguments
    assert not {a for a in arguments if re.fullmatch(r"q|.*(nik|kk|name|nama).*", a)}, arguments


# --- a whole session ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_no_log_line_of_a_whole_session_holds_a_nik(
    client: Client, log_lines: list[str], tmp_path: Path, settings: Any
) -> None:
    """Lookups, searches, worker pages, 404s, 403s, imports with rejected rows, a failed login:
    every log line they produce, formatted and filtered as in production, holds no NIK."""
    settings.VAR_DIR = tmp_path
    worker = WorkerFactory(nik=NIK, no_kk=NO_KK, name="Siti Aminah", name_key="siti aminah")
    outside = WorkerFactory(desa_id="52.03.08.2002", nik="5203084107900003")
    client.post(reverse("accounts:login"), {"username": NIK, "password": "salah-sekali"})
    client.force_login(operator_kecamatan("52.03.07"))

    def lookup(nik: str) -> int:
        response = client.post(LOOKUP, {"nik": nik}, content_type="application/json")
        return response.status_code

    assert [lookup(n) for n in WRITTEN] == [200, 200, 200, 200]
    assert lookup("5203070000000000") == lookup(outside.nik) == 404
    assert client.get(f"/api/v1/registry/workers/{NIK}").status_code == 404  # the old route
    assert client.get("/api/v1/registry/workers/", {"q": NIK}).status_code == 200
    for search in WRITTEN:
        assert client.get(reverse("registry:worker-list"), {"q": search}).status_code == 200
    assert client.get(reverse("registry:worker-detail", args=[worker.pk])).status_code == 200
    assert client.get(reverse("registry:worker-detail", args=[outside.pk])).status_code == 404
    assert client.get(f"/pekerja/{NIK}/").status_code == 404
    assert client.get(reverse("rules:policy-edit")).status_code == 403  # CONFIGURE only

    rows = [
        f"1;{NIK};{NO_KK};Siti Aminah;L;28-05-1980;Pancor;Selong;Petani",
        f"2;{NIK};{NO_KK};Siti Aminah;L;28-05-1980;Pancor;Selong;Petani",  # duplicate in file
        "3;5203 0728 0580 00;;Amaq Rusdi;L;31-12-1990;Pancor;Selong;Nelayan",  # too short
        f"4;{outside.nik};;Baiq Sainah;P;01-07-1990;Bagik Papan;Pringgabaya;Petani",  # outside
    ]
    content = "\n".join([HEADER, *rows]) + "\n"
    (tmp_path / "daftar.csv").write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("import", str(tmp_path / "daftar.csv"), "--source", "DTKS", "--json", stdout=out)
    assert "rejected" in {row["status"] for row in json.loads(out.getvalue())["rows"]}
    upload = SimpleUploadedFile("daftar.csv", content.encode())
    response = client.post(reverse("registry:import-list"), {"file": upload, "source": "P3KE"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    client.force_login(UserFactory(role=Role.PIMPINAN))
    assert lookup(NIK) == 403

    assert Worker.objects.filter(nik=NIK).exists()
    assert f"WARNING django.request Not Found: {LOOKUP}" in " ".join(log_lines)
    assert "WARNING django.request Not Found: /pekerja/5203********0001/" in " ".join(log_lines)
    forbidden = [line for line in log_lines if "Forbidden" in line]
    assert len(forbidden) == 2, forbidden  # one line for each 403
    assert not [line for line in log_lines if "Traceback" in line]
    for line in log_lines:
        assert not any(written in line for written in WRITTEN), line
        assert NIK_LIKE.search(line) is None, line
