"""Photos: images only, size-limited, re-encoded without metadata, private to the act's scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from observers.models import Act, ActPhoto, ActStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(observer, session):
    return factories.AssignmentFactory(observer=observer, session=session)


@pytest.fixture
def logged_in(client, observer_user, media_root):
    client.force_login(observer_user)
    return client


def png_bytes(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 60), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, assignment, name, content, content_type="image/jpeg", **extra):
    return client.post(
        reverse("observers:act_photo_upload", args=[assignment.pk]),
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
        **extra,
    )


def test_a_photo_is_stored_as_a_plain_jpeg_without_location(logged_in, assignment):
    response = upload(
        logged_in, assignment, "IMG_0001.jpg", jpeg_with_gps(), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    photo = ActPhoto.objects.get()
    assert (photo.original_name, photo.width, photo.height) == ("IMG_0001.jpg", 80, 60)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()  # GPS and camera data are gone
    served = logged_in.get(reverse("observers:photo_file", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_png_is_accepted_too(logged_in, assignment):
    upload(logged_in, assignment, "screen.png", png_bytes(), content_type="image/png")
    assert ActPhoto.objects.count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_the_draft_is_kept(logged_in, assignment):
    logged_in.post(
        reverse("observers:act_autosave", args=[assignment.pk]),
        {"stage": "test", "comments": "Черновик до фото"},
        HTTP_HX_REQUEST="true",
    )
    response = upload(
        logged_in, assignment, "photo.jpg", b"%PDF-1.4 not a picture", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "не является фотографией: загрузите изображение JPEG, PNG или WebP" in (
        response.content.decode()
    )
    assert not ActPhoto.objects.exists()
    assert Act.objects.get().comments == "Черновик до фото"


def test_an_image_in_a_format_we_do_not_take_is_refused(logged_in, assignment):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    response = upload(logged_in, assignment, "scan.bmp", out.getvalue(), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "не является фотографией" in response.content.decode()


def test_a_photo_that_is_too_big_is_refused_with_the_limit(logged_in, assignment, settings):
    settings.OBSERVERS_PHOTO_MAX_BYTES = 1024
    big = png_bytes(400, 400)
    assert len(big) > 1024
    response = upload(logged_in, assignment, "big.png", big, "image/png", HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Файл «big.png» слишком большой" in page and "допускается до 0,0 МБ" in page
    assert not ActPhoto.objects.exists()


def test_without_htmx_the_refusal_comes_back_as_a_message(logged_in, assignment):
    response = upload(logged_in, assignment, "notes.txt", b"hello", "text/plain", follow=True)
    assert "не является фотографией" in response.content.decode()


def test_a_filed_act_takes_no_more_photos(logged_in, assignment):
    upload(logged_in, assignment, "a.png", png_bytes(), "image/png")
    Act.objects.update(status=ActStatus.SUBMITTED)
    response = upload(
        logged_in, assignment, "b.png", png_bytes(), "image/png", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Акт уже отправлен" in response.content.decode()
    assert ActPhoto.objects.count() == 1


def test_the_number_of_photos_is_limited(logged_in, assignment, settings):
    settings.OBSERVERS_PHOTOS_PER_ACT = 1
    upload(logged_in, assignment, "a.png", png_bytes(), "image/png")
    response = upload(
        logged_in, assignment, "b.png", png_bytes(), "image/png", HTTP_HX_REQUEST="true"
    )
    assert "не больше 1 фото" in response.content.decode()


def test_photos_are_private_to_the_observer_and_their_staff(
    client, logged_in, assignment, municipality, other_municipality
):
    upload(logged_in, assignment, "a.png", png_bytes(), "image/png")
    photo = ActPhoto.objects.get()
    url = reverse("observers:photo_file", args=[photo.pk])
    other_observer = factories.make_observer_user(
        observer=factories.ObserverFactory(municipality=municipality)
    )
    client.force_login(other_observer)
    assert client.get(url).status_code == 404
    client.force_login(factories.make_staff(municipality=other_municipality))
    assert client.get(url).status_code == 404
    client.force_login(factories.make_staff(municipality=municipality))
    assert client.get(url).status_code == 200


def test_a_draft_photo_can_be_removed(logged_in, assignment):
    upload(logged_in, assignment, "a.png", png_bytes(), "image/png")
    photo = ActPhoto.objects.get()
    logged_in.post(reverse("observers:act_photo_delete", args=[assignment.pk, photo.pk]))
    assert not ActPhoto.objects.exists()
