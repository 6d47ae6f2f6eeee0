"""When an upload of results is refused: the rules about who may upload what, in one place.

1. The upload form (``results.forms.UploadForm``), before anything is stored:
   the file's size and kind (``file_refusal``) and a school chosen outside the chosen
   municipality (``school_outside_municipality``). The choice lists themselves come from
   the user's scope, so a coordinator cannot even name another school.
2. The import (``results.services.uploads``, through ``reading.resolve_schools``), once the
   file's schools are known: the schools the uploader may write *now* — roles can change
   between the upload and the import — (``allowed_school_ids``) and a file holding schools
   other than the chosen one, outside the chosen municipality or outside the uploader's
   scope (``scope_refusal``).

Not here: the file format's own checks (headers, scores, codes: ``results/fileformats/
validation.py``) and the logins missing from the registry (``reading.resolve_schools``,
as it looks them up). Each rule returns the Russian message of the refusal, or None.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from results.models import Upload, UploadSource
from schools.models import Municipality, School

#: Spreadsheet and text files the readers open; anything else is refused by the form.
ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".txt")


def file_refusal(*, name: str, size: int) -> str | None:
    """A file too big for the page (the CLI takes it) or not a spreadsheet or CSV."""
    limit = settings.PORTAL_RESULTS_MAX_UPLOAD_MB
    if size > limit * 1024 * 1024:
        return f"Файл больше {limit} МБ: такие загружаются командой import_results."
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        return "Загрузите файл Excel (.xlsx) или CSV."
    return None


def school_outside_municipality(
    school: School | None, municipality: Municipality | None
) -> str | None:
    """A school chosen together with a municipality it does not belong to."""
    if (
        school is not None
        and municipality is not None
        and school.municipality_id != municipality.pk
    ):
        return "Эта ОО относится к другому муниципалитету."
    return None


def allowed_school_ids(upload: Upload) -> list[int] | None:
    """Schools the uploader may write now (roles can change between upload and import).

    None: any school (the CLI, or an upload nobody is named for)."""
    from schools import roles

    user = upload.created_by
    if user is None or upload.source == UploadSource.CLI:
        return None
    if roles.is_department_staff(user):
        return list(roles.visible_schools(user).values_list("pk", flat=True))
    return list(roles.coordinated_schools(user).values_list("pk", flat=True))


def scope_refusal(
    schools: list[School],
    *,
    school: School | None,
    municipality: Municipality | None,
    allowed: Iterable[int] | None,
) -> str | None:
    """The file's schools against the upload's scope: only the chosen school, only schools
    of the chosen municipality, only schools the uploader may write (``allowed``; None: any)."""
    if school is not None:
        foreign = [s.login for s in schools if s.pk != school.pk]
        if foreign:
            return (
                f"В файле есть результаты других ОО ({login_list_text(foreign)}), а загрузка "
                f"— для {school.display_name} ({school.login}). Загрузите файл только своей ОО."
            )
    if municipality is not None:
        foreign = [s.login for s in schools if s.municipality_id != municipality.pk]
        if foreign:
            return (
                f"ОО {login_list_text(foreign)} не относятся к муниципалитету "
                f"«{municipality.name}». Загрузите выгрузку только своего муниципалитета."
            )
    if allowed is not None:
        allowed = set(allowed)
        foreign = [s.login for s in schools if s.pk not in allowed]
        if foreign:
            return (
                f"Вы не можете загружать результаты ОО {login_list_text(foreign)}: они вне вашей "
                "зоны ответственности."
            )
    return None


def login_list_text(logins: list[str]) -> str:
    """Logins for a message: the first 30, then how many more."""
    shown = ", ".join(logins[:30])
    return shown + (f" и ещё {len(logins) - 30}" if len(logins) > 30 else "")
