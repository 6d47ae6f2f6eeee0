"""PDFs are real: text extractable with pdftotext, the bundled font embedded (pdffonts)."""

import copy
import subprocess

import pytest

from tests.conftest import require_binary
from vpr_portal.pdf import render_pdf


@pytest.fixture
def print_template(tmp_path, settings):
    (tmp_path / "probe.html").write_text(
        '{% extends "print/base.html" %}{% block content %}<h1>План мероприятий</h1>'
        "<table><tr><td>1.1</td><td>Объективность ВПР — ёжик</td></tr></table>{% endblock %}",
        encoding="utf-8",
    )
    # Assigning the setting (not mutating it) makes Django rebuild its template engines.
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    return "probe.html"


def test_cyrillic_text_survives_and_the_font_is_embedded(tmp_path, print_template):
    pdftotext = require_binary("pdftotext", "poppler-utils")
    pdffonts = require_binary("pdffonts", "poppler-utils")
    path = tmp_path / "probe.pdf"
    path.write_bytes(render_pdf(print_template, {}))
    text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True).stdout
    assert "План мероприятий" in text
    assert "Объективность ВПР — ёжик" in text
    assert "1 из 1" in text
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("+Portal" in row for row in rows)  # the bundled faces, subset
    assert all(row.split()[-5] == "yes" for row in rows)  # the "emb" column
