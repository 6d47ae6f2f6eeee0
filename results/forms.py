"""Forms of the results pages: the upload form and the report filters (scoped choices)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404

from results.models import Test
from results.selectors import reports as report_selectors
from results.services import upload_rules
from schools import roles


class UploadForm(forms.Form):
    """Coordinators upload for their school; staff upload a municipal export.

    The choice lists come from the user's scope, so a coordinator cannot even name
    another school; the import checks every row's login again.
    """

    file = forms.FileField(
        label="Файл результатов",
        help_text="Выгрузка ФИС ОКО «Индивидуальные результаты» (.xlsx), форма сбора "
        "результатов (.xlsx) или CSV с заголовком выгрузки.",
    )
    test = forms.ModelChoiceField(
        label="Работа",
        queryset=Test.objects.none(),
        required=False,
        empty_label="Определить по заголовку файла",
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, required=False, empty_label=None
    )
    school = forms.ModelChoiceField(label="ОО", queryset=None, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.is_staff = roles.is_department_staff(user)
        self.fields["test"].queryset = Test.objects.order_by("-year", "grade", "subject")
        if self.is_staff:
            self.fields["municipality"].queryset = roles.visible_municipalities(user).order_by(
                "name"
            )
            self.fields["municipality"].required = True
            self.fields["school"].queryset = roles.visible_schools(user).order_by("login")
            self.fields["school"].empty_label = "Все ОО муниципалитета (выгрузка ФИС ОКО)"
            self.fields[
                "school"
            ].help_text = "Выберите ОО, если загружаете форму сбора результатов одной школы."
        else:
            schools = roles.coordinated_schools(user).order_by("login")
            del self.fields["municipality"]
            self.fields["school"].queryset = schools
            self.fields["school"].required = True
            self.fields["school"].empty_label = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        refusal = upload_rules.file_refusal(name=uploaded.name, size=uploaded.size)
        if refusal is not None:
            raise forms.ValidationError(refusal)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        refusal = upload_rules.school_outside_municipality(
            cleaned.get("school"), cleaned.get("municipality")
        )
        if refusal is not None:
            self.add_error("school", refusal)
        return cleaned


class ReportFilterForm(forms.Form):
    """GET filters of the reports; every choice is limited to the user's scope."""

    year = forms.TypedChoiceField(label="Год", required=False, coerce=int, empty_value=None)
    test = forms.ModelChoiceField(label="Работа", queryset=Test.objects.none(), required=False)
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, required=False, empty_label=None
    )
    school = forms.ModelChoiceField(label="ОО", queryset=None, required=False)
    class_label = forms.ChoiceField(label="Класс", required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user
        self.is_staff = roles.is_department_staff(user)
        all_tests = report_selectors.tests_with_results(user)
        years = sorted({t.year for t in all_tests}, reverse=True)
        self.fields["year"].choices = [("", "Все годы")] + [(y, str(y)) for y in years]
        year = self._raw_int("year")
        tests = report_selectors.tests_with_results(user, year=year if year in years else None)
        self.fields["test"].queryset = tests
        self.fields["test"].empty_label = None
        municipalities = report_selectors.report_municipalities(user).order_by("name")
        self.fields["municipality"].queryset = municipalities
        schools = roles.visible_schools(user).order_by("login")
        if self.is_staff:
            municipality_id = self._raw_int("municipality")
            if municipality_id is None and self._raw_int("school"):
                # A link to a school alone (drill-down): its municipality is implied.
                municipality_id = (
                    schools.filter(pk=self._raw_int("school"))
                    .values_list("municipality_id", flat=True)
                    .first()
                )
            municipality_id = municipality_id or getattr(municipalities.first(), "pk", None)
            schools = schools.filter(municipality_id=municipality_id)
            self.fields["school"].empty_label = "Все ОО муниципалитета"
        else:
            del self.fields["municipality"]
            self.fields["school"].empty_label = None
        self.fields["school"].queryset = schools
        self.fields["class_label"].choices = [("", "Все классы")]

    def _raw_int(self, name: str) -> int | None:
        try:
            value = int(self.data.get(name) or 0) or None
        except (TypeError, ValueError):
            return None
        # An id beyond the database's 64-bit integers matches nothing (and must not crash).
        return value if value is not None and 0 < value < 2**63 else None

    def _visible_test(self, test_id: int | None) -> bool:
        tests = report_selectors.tests_with_results(self.user)
        return bool(test_id) and tests.filter(pk=test_id).exists()

    def filters(self) -> dict[str, Any]:
        """Valid filters, with sensible defaults (the newest test; the first choices)."""
        self.is_valid()
        for name in ("test", "municipality", "school"):
            # An id outside the user's scope is a 404, as for every other URL; a test of
            # another year (the year was just changed) and the class fall back to defaults.
            if self.data.get(name) and name in self.errors:
                if name == "test" and self._visible_test(self._raw_int("test")):
                    continue
                raise Http404("Не найдено")
        data = self.cleaned_data
        test = data.get("test") or self.fields["test"].queryset.first()
        school = data.get("school")
        if school is None and not self.is_staff:
            school = self.fields["school"].queryset.first()
        class_label = ""
        if test is not None and school is not None:
            labels = report_selectors.class_labels(test=test, school=school)
            self.fields["class_label"].choices = [("", "Все классы")] + [(c, c) for c in labels]
            wanted = self.data.get("class_label") or ""
            class_label = wanted if wanted in labels else ""
        municipality = data.get("municipality")
        return {
            "test": test,
            "municipality_id": municipality.pk if municipality else None,
            "school_id": school.pk if school else None,
            "class_label": class_label,
        }
