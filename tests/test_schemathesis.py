"""Schemathesis against /api/v1/_openapi: no server error on any generated request, and no
traceback in the server log. Runs once as a school user and once as county staff."""
from __future__ import annotations

import logging
import re
from collections import Counter
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


class _Answers:
    """WSGI middleware counting the answers by status class, to prove the run reached the API."""

    def __init__(self, app):
        self.app, self.counts = app, Counter()

    def __call__(self, environ, start_response):
        def counting(status, headers, *args):
            self.counts[status[0] + "xx"] += 1
            return start_response(status, headers, *args)

        return self.app(environ, counting)


@pytest.fixture
def server(app, world):
    answers = _Answers(app)
    httpd = make_server("127.0.0.1", 0, answers, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    yield f"http://127.0.0.1:{httpd.server_port}", errors, answers.counts
    logging.getLogger().removeHandler(errors)
    httpd.shutdown()


@pytest.mark.parametrize("username", ["clerk", "caseworker"])
def test_no_server_error_anywhere_in_the_api(app, server, username):
    base, errors, answers = server
    token = api_token(app.test_client(), username)
    run = subprocess.run(
        [str(ST), "run", f"{base}/api/v1/_openapi", "--url", base,
         "--checks", "not_a_server_error", "-H", f"Authorization: Bearer {token}",
         "--max-examples", "15", "--seed", "20261204", "--request-timeout", "20",
         "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, timeout=600,
    )
    summary = run.stdout[-3000:]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"schemathesis-{username}.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, summary + run.stderr[-2000:]
    # The requests must reach the API: with a wrong base URL every operation answers 404 and the
    # run proves nothing (the document's paths already start with /api/v1).
    assert int(re.search(r"Tested: (\d+)", run.stdout).group(1)) >= 25, summary
    assert answers["2xx"] >= 100 and answers["4xx"] >= 100, answers
    tracebacks = [r.getMessage() for r in errors.records if r.exc_info]
    assert not tracebacks, tracebacks
