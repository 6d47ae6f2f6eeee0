"""PDF rendering with WeasyPrint: one print stylesheet, one bundled Cyrillic font.

Templates extend `print/base.html`, which sets A4 pages, page numbers and the
embedded DejaVu fonts from static/fonts (system fonts differ between machines;
a bundled file keeps every PDF the same and always embeds it).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from collections.abc import Iterator

    from weasyprint.text.fonts import FontConfiguration

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"

_per_thread = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's font configuration, kept between renders.

    Every print template declares the same bundled @font-face files, and WeasyPrint
    adds a face to a configuration only once, so a kept configuration skips reloading
    the fonts and keeps Pango's font caches warm. One per thread: Pango's font map is
    not safe to share between threads.
    """
    from weasyprint.text.fonts import FontConfiguration

    font_config = getattr(_per_thread, "font_config", None)
    if font_config is None:
        font_config = _per_thread.font_config = FontConfiguration()
    return font_config


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one render.

    A long document allocates hundreds of thousands of boxes that all live until
    the PDF is written, so every collection during the render walks them (and the
    whole of Django and WeasyPrint) and frees nothing. Reference counting still
    frees memory as usual; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "fonts_url": FONTS_DIR.as_uri()})
    with _without_cyclic_gc():
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            font_config=_font_config()
        )
