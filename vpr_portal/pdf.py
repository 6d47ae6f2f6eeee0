"""PDF rendering with WeasyPrint: one print stylesheet, one bundled Cyrillic font.

Templates extend `print/base.html`, which sets A4 pages, page numbers and the
embedded DejaVu fonts from static/fonts (system fonts differ between machines;
a bundled file keeps every PDF the same and always embeds it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, {**context, "fonts_url": FONTS_DIR.as_uri()})
    font_config = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config)
