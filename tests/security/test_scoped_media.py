"""Uploaded files are served only through views that check the user's scope, in every mode:
with DEBUG on (`make run`) an anonymous GET under /media/ of another school's results file
answered 200."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from results.services import uploads
from tests import factories


@pytest.fixture
def debug_urlconf(settings):
    """The project's URLconf as DEBUG=True builds it (the module reads DEBUG at import)."""
    import vpr_portal.urls

    settings.DEBUG = True
    importlib.reload(vpr_portal.urls)
    clear_url_caches()
    yield vpr_portal.urls
    settings.DEBUG = False
    importlib.reload(vpr_portal.urls)
    clear_url_caches()


@pytest.fixture
def stored_upload(settings, tmp_path, other_school):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    created = uploads.create_upload(
        file=ContentFile(b"login;code\nedu200002;10001\n"), filename="r.csv", school=other_school
    )
    return created.upload


@pytest.mark.django_db
def test_no_url_serves_media_even_with_debug_on(debug_urlconf, client, stored_upload):
    url = "/media/" + stored_upload.file.name
    from pathlib import Path

    assert Path(stored_upload.file.path).read_bytes()  # the file is there to be fetched
    with pytest.raises(Resolver404):
        resolve(url)
    assert client.get(url).status_code == 404
    client.force_login(factories.make_administrator())
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_uploaded_file_is_served_only_within_the_users_scope(
    client, stored_upload, coordinator, other_school
):
    url = reverse("results:upload_file", args=[stored_upload.pk])
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 404) and b"edu200002" not in anonymous.content
    client.force_login(coordinator)  # of another school
    assert client.get(url).status_code == 404
    client.force_login(factories.make_coordinator(school=other_school, username="own"))
    own = client.get(url)
    assert own.status_code == 200 and b"edu200002" in b"".join(own.streaming_content)
