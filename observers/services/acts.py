"""The visit act: drafts saved as the observer types, submission that locks, photos, review."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from observers.models import (
    Act,
    ActPhoto,
    ActStatus,
    Assignment,
    AssignmentStatus,
    Stage,
    ViolationType,
)
from observers.services import ObserversError
from vpr_portal.jobs import enqueue_on_commit

# Formats phones produce that every browser shows; HEIC is converted by iOS on upload.
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
PHOTO_MAX_SIDE = 2560
PHOTO_MAX_PIXELS = 60_000_000


class ActLocked(ObserversError):
    """The act was filed (or accepted) and can no longer change."""


class ActIncomplete(ObserversError):
    """Submission refused: the act lacks something. `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class PhotoRefused(ObserversError):
    """The uploaded file is not an image we accept, or it is too big."""


@dataclass
class ActDraft:
    """What the act form sends; every field may still be empty in a draft."""

    observed_from: datetime.time | None = None
    observed_to: datetime.time | None = None
    stage: str = ""
    no_violations: bool = False
    violation_ids: list[int] = field(default_factory=list)
    comments: str = ""


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y в %H:%M") if moment else ""


def locked_reason(act: Act) -> str:
    if act.status == ActStatus.ACCEPTED:
        return (
            f"Акт уже принят управлением образования {_when(act.reviewed_at)}: изменить или "
            "отправить его повторно нельзя."
        )
    return (
        f"Акт уже отправлен {_when(act.submitted_at)} и заблокирован: повторная отправка и "
        "изменения невозможны. Если нужно что-то исправить, попросите управление образования "
        "вернуть акт на доработку."
    )


def new_act(assignment: Assignment) -> Act:
    """An unsaved act filled with what the assignment already knows (for the empty form)."""
    return Act(
        assignment=assignment,
        stage=assignment.stage,
        observed_from=assignment.start_time,
        observed_to=assignment.end_time,
    )


def _act_for_update(assignment: Assignment) -> Act:
    """The assignment's act, created on first save and locked for this transaction."""
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ObserversError("Назначение отменено: акт по нему не заполняется.")
    act = Act.objects.select_for_update().filter(assignment=assignment).first()
    if act is None:
        act = new_act(assignment)
        act.save()
    return act


@transaction.atomic
def save_act_draft(*, assignment: Assignment, draft: ActDraft) -> Act:
    """Store the form as it is now. Refused only when the act is locked."""
    act = _act_for_update(assignment)
    if act.is_locked:
        raise ActLocked(locked_reason(act))
    act.observed_from = draft.observed_from
    act.observed_to = draft.observed_to
    act.stage = draft.stage if draft.stage in Stage.values else assignment.stage
    act.no_violations = draft.no_violations
    act.comments = draft.comments.strip()
    act.revision += 1
    act.save()
    act.violations.set(ViolationType.objects.filter(pk__in=draft.violation_ids))
    return act


def completeness_errors(act: Act, *, today: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if act.assignment.date > today:
        errors["__all__"] = (
            f"Наблюдение назначено на {act.assignment.date:%d.%m.%Y}: отправить акт можно в день "
            "наблюдения или позже. Черновик сохранён."
        )
    if act.observed_from is None or act.observed_to is None:
        errors["observed_to"] = "Укажите время начала и окончания наблюдения."
    elif act.observed_to <= act.observed_from:
        errors["observed_to"] = "Время окончания наблюдения должно быть позже времени начала."
    violations = act.violations.exists()
    if act.no_violations and violations:
        errors["violations"] = (
            "Отмечено «Нарушений не выявлено», но выбраны нарушения: оставьте что-то одно."
        )
    elif not act.no_violations and not violations:
        errors["violations"] = "Отметьте «Нарушений не выявлено» или выберите выявленные нарушения."
    return errors


@transaction.atomic
def submit_act(*, assignment: Assignment, today: datetime.date | None = None) -> Act:
    """File the act: check it is complete, then lock it for review.

    A locked act raises ActLocked and is left exactly as it was; an incomplete one raises
    ActIncomplete and stays a draft with everything typed so far.
    """
    act = _act_for_update(assignment)
    if act.is_locked:
        raise ActLocked(locked_reason(act))
    errors = completeness_errors(act, today=today or timezone.localdate())
    if errors:
        raise ActIncomplete(errors)
    act.status = ActStatus.SUBMITTED
    act.submitted_at = timezone.now()
    act.save(update_fields=["status", "submitted_at", "updated_at"])
    return act


# --- photos ----------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def prepare_photo(data: bytes, *, filename: str) -> tuple[bytes, int, int]:
    """Check that the bytes are a photo and re-encode them as a plain JPEG.

    Re-encoding drops EXIF (phones write the GPS position there), turns the picture
    upright and caps its size; it also means we never store a file that merely claims
    to be an image.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = settings.OBSERVERS_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise PhotoRefused(
            f"Файл «{filename}» слишком большой: {_megabytes(len(data))} МБ, "
            f"допускается до {_megabytes(limit)} МБ. Уменьшите фото и загрузите снова."
        )
    not_an_image = PhotoRefused(
        f"Файл «{filename}» не является фотографией: загрузите изображение JPEG, PNG или WebP."
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise not_an_image
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise PhotoRefused(f"Файл «{filename}»: слишком большое разрешение изображения.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), image.width, image.height
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise not_an_image from None


def add_photo(*, assignment: Assignment, upload: Any) -> ActPhoto:
    """Attach a photo to the act (draft or returned). The rest of the act is untouched."""
    name = (getattr(upload, "name", "") or "фото").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", None)
    limit = settings.OBSERVERS_PHOTO_MAX_BYTES
    if size is not None and size > limit:
        # Refuse before reading a huge file into memory.
        raise PhotoRefused(
            f"Файл «{name}» слишком большой: {_megabytes(size)} МБ, "
            f"допускается до {_megabytes(limit)} МБ. Уменьшите фото и загрузите снова."
        )
    content, width, height = prepare_photo(upload.read(), filename=name)
    with transaction.atomic():
        act = _act_for_update(assignment)
        if act.is_locked:
            raise ActLocked(locked_reason(act))
        if act.photos.count() >= settings.OBSERVERS_PHOTOS_PER_ACT:
            raise PhotoRefused(
                f"К акту можно приложить не больше {settings.OBSERVERS_PHOTOS_PER_ACT} фото."
            )
        photo = ActPhoto(act=act, original_name=name, width=width, height=height)
        stem = name.rsplit(".", 1)[0][:60] or "foto"
        photo.image.save(f"{stem}.jpg", ContentFile(content), save=False)
        photo.save()
    return photo


@transaction.atomic
def delete_photo(*, photo: ActPhoto) -> None:
    act = Act.objects.select_for_update().get(pk=photo.act_id)
    if act.is_locked:
        raise ActLocked(locked_reason(act))
    photo.image.delete(save=False)
    photo.delete()


# --- review ----------------------------------------------------------------------------------


class ReviewDecision:
    ACCEPT = "accept"
    RETURN = "return"


@transaction.atomic
def review_act(
    *, act: Act, reviewer: Any, decision: str, comment: str = "", notify: bool = True
) -> Act:
    """Staff accept a filed act or return it to the observer with a comment (e-mailed)."""
    act = Act.objects.select_for_update().get(pk=act.pk)
    if act.status != ActStatus.SUBMITTED:
        raise ObserversError(
            f"Проверять можно только отправленный акт, а этот — «{act.get_status_display()}»."
        )
    comment = comment.strip()
    if decision == ReviewDecision.RETURN:
        if not comment:
            raise ObserversError("Напишите наблюдателю, что нужно исправить.")
        act.status = ActStatus.RETURNED
    elif decision == ReviewDecision.ACCEPT:
        act.status = ActStatus.ACCEPTED
    else:
        raise ObserversError("Неизвестное решение.")
    act.reviewed_by = reviewer
    act.reviewed_at = timezone.now()
    act.review_comment = comment
    act.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    if notify and act.status == ActStatus.RETURNED:
        enqueue_on_commit("observers.send_act_returned_notice", act.pk)
    return act
