"""The Spanish catalog: complete, placeholder-safe, in step with the code, and served."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
ES_PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
ES_MO = ES_PO.with_suffix(".mo")
PYBABEL = Path(sys.executable).parent / "pybabel"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalog(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def messages(catalog):
    return [m for m in catalog if m.id]


def placeholders(text) -> list[str]:
    """The placeholders of a message (of each form, for a plural message)."""
    forms = text if isinstance(text, (tuple, list)) else (text,)
    return sorted({p for form in forms if form for p in PLACEHOLDER.findall(form)})


def key(message):
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """The app reads the .mo: compile it when missing or older than the .po (``make test``
    compiles first, a bare ``pytest`` may not)."""
    if not ES_MO.exists() or ES_MO.stat().st_mtime < ES_PO.stat().st_mtime:
        subprocess.run([str(PYBABEL), "compile", "-f", "-d", str(TRANSLATIONS)],
                       cwd=ROOT, check=True, capture_output=True)


def test_every_message_is_translated_and_keeps_its_placeholders():
    catalog = read_catalog(ES_PO)
    found = messages(catalog)
    assert found, "the Spanish catalog is empty"
    untranslated = [m.id for m in found
                    if not m.string or not all(str(form).strip() for form in
                                               (m.string if isinstance(m.string, tuple) else (m.string,)))]
    fuzzy = [m.id for m in found if m.fuzzy]
    changed = [(m.id, m.string) for m in found
               if m.string and placeholders(m.id) != placeholders(m.string)]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not changed, f"placeholders differ: {changed}"


def test_catalog_covers_every_string_in_the_code(tmp_path):
    template = tmp_path / "m.pot"
    result = subprocess.run(
        [str(PYBABEL), "extract", "-F", "translations/babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-o", str(template), "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    extracted = {key(m) for m in messages(read_catalog(template))}
    assert extracted, "extraction found no strings"
    catalog = {key(m) for m in messages(read_catalog(ES_PO))}
    missing = sorted(extracted - catalog)
    assert not missing, ("strings missing from the Spanish catalog (run `make translations` "
                         f"and translate them): {missing}")


def test_the_app_serves_spanish(app, world, client):
    catalog = {m.id: m.string for m in messages(read_catalog(ES_PO))}
    referrals_es = catalog["Referrals"]
    login(client, "clerk")
    switched = client.get("/lang/es")
    assert switched.status_code in (200, 302)
    page = client.get("/referrals/")
    assert page.status_code == 200
    assert referrals_es in page.get_data(as_text=True)
