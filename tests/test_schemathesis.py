"""Schemathesis against /api/v1/_openapi: no server error on any generated request, and no
traceback in the server log. Runs once as a school user and once as county staff."""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import api_token

ST = Path(sys.executable).parent / "st"
#: Each run's summary (operations, examples, failures) is kept here for the record.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def server(app, world):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    yield f"http://127.0.0.1:{httpd.server_port}", errors
    logging.getLogger().removeHandler(errors)
    httpd.shutdown()


@pytest.mark.parametrize("username", ["clerk", "caseworker"])
def test_no_server_error_anywhere_in_the_api(app, server, username):
    base, errors = server
    token = api_token(app.test_client(), username)
    run = subprocess.run(
        [str(ST), "run", f"{base}/api/v1/_openapi", "--url", f"{base}/api/v1",
         "--checks", "not_a_server_error", "-H", f"Authorization: Bearer {token}",
         "--max-examples", "15", "--seed", "20261204", "--request-timeout", "20",
         "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, timeout=600,
    )
    summary = run.stdout[-3000:]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"schemathesis-{username}.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, summary + run.stderr[-2000:]
    tracebacks = [r.getMessage() for r in errors.records if r.exc_info]
    assert not tracebacks, tracebacks
