from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from plans.models import ItemStatus, Plan, PlanStatus, SchoolReport

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlanUploadForm(forms.Form):
    file = forms.FileField(label="Файл плана (.docx, .xlsx или .txt)", required=False)
    text = forms.CharField(
        label="…или вставьте текст таблицы",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Скопируйте таблицу из Word или из правовой базы целиком, с заголовком.",
    )
    format = forms.ChoiceField(
        label="Формат",
        choices=[
            ("auto", "определить автоматически"),
            ("docx", "Word (.docx)"),
            ("xlsx", "Excel (.xlsx)"),
            ("text", "текст"),
        ],
        initial="auto",
    )
    municipality = forms.TypedChoiceField(label="Муниципалитет", coerce=int)

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipalities = list(municipalities)
        self.fields["municipality"].choices = [(m.pk, m.name) for m in self.municipalities]
        if len(self.fields["municipality"].choices) == 1:
            self.fields["municipality"].initial = self.fields["municipality"].choices[0][0]
            self.fields["municipality"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        uploaded, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if not uploaded and not text:
            raise forms.ValidationError("Выберите файл или вставьте текст плана.")
        if uploaded and text:
            raise forms.ValidationError("Загрузите либо файл, либо текст — не то и другое сразу.")
        limit = settings.PLANS_IMPORT_MAX_UPLOAD_MB
        if uploaded and uploaded.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"Файл больше {limit} МБ — это не похоже на план мероприятий."
            )
        return cleaned

    def chosen_municipality(self) -> Any:
        """The chosen municipality among those offered, or None."""
        pk = self.cleaned_data["municipality"]
        return next((m for m in self.municipalities if m.pk == pk), None)

    def plan_source(self) -> dict[str, Any]:
        """The file or the pasted text, as ``importing.submit_import`` takes them."""
        uploaded = self.cleaned_data["file"]
        return {
            "file": uploaded or None,
            "filename": uploaded.name if uploaded else "",
            "text": self.cleaned_data["text"] if not uploaded else "",
            "format": self.cleaned_data["format"],
        }


class PlanHeaderForm(forms.ModelForm):
    tasks_text = forms.CharField(
        label="Задачи (по одной на строку)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_results_text = forms.CharField(
        label="Ожидаемые результаты (по одному на строку)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Plan
        fields = [
            "title",
            "period_start",
            "period_end",
            "status",
            "approval_position",
            "approval_name",
            "approval_date",
            "basis",
            "order_reference",
            "goal",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "period_start": DATE_WIDGET["widget"],
            "period_end": DATE_WIDGET["widget"],
            "approval_date": DATE_WIDGET["widget"],
            "approval_position": forms.Textarea(attrs={"rows": 2}),
            "basis": forms.Textarea(attrs={"rows": 2}),
            "order_reference": forms.Textarea(attrs={"rows": 2}),
            "goal": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")
        if self.instance.pk and not self.is_bound:
            self.fields["tasks_text"].initial = "\n".join(self.instance.tasks)
            self.fields["expected_results_text"].initial = "\n".join(self.instance.expected_results)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "Конец периода раньше его начала.")
        return cleaned

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["tasks"] = _lines(self.cleaned_data["tasks_text"])
        data["expected_results"] = _lines(self.cleaned_data["expected_results_text"])
        return data


class ItemForm(forms.Form):
    number = forms.CharField(label="№", max_length=30, required=False)
    text = forms.CharField(label="Мероприятие", widget=forms.Textarea(attrs={"rows": 3}))
    deadline_text = forms.CharField(label="Срок", max_length=500, required=False)
    responsible = forms.CharField(
        label="Ответственные (по одному на строку)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_result = forms.CharField(
        label="Ожидаемый результат", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    window_start = forms.DateField(label="Срок с (вручную)", required=False, **DATE_WIDGET)
    window_end = forms.DateField(label="по", required=False, **DATE_WIDGET)

    @classmethod
    def for_item(cls, item, data=None) -> ItemForm:
        initial = {
            "number": item.number,
            "text": item.text,
            "deadline_text": item.deadline_text,
            "responsible": "\n".join(r.text for r in item.responsibles.all()),
            "expected_result": item.expected_result,
        }
        if item.deadline_manual:
            windows = item.window_list()
            if windows:
                initial["window_start"], initial["window_end"] = windows[0].start, windows[0].end
        return cls(data=data, initial=initial)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Укажите обе даты срока или ни одной.")
        if start and end and start > end:
            raise forms.ValidationError("Начало срока позже его окончания.")
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        start, end = data.get("window_start"), data.get("window_end")
        return {
            "number": data["number"],
            "text": data["text"],
            "deadline_text": data["deadline_text"],
            "responsible": _lines(data["responsible"]),
            "expected_result": data["expected_result"],
            "manual_window": (start, end) if start and end else None,
        }


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label="Статус", choices=ItemStatus.choices)
    completed_on = forms.DateField(label="Дата выполнения", required=False, **DATE_WIDGET)
    report_text = forms.CharField(
        label="Отчёт о выполнении", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(label="Описание", max_length=300, required=False)
    file = forms.FileField(label="Файл", required=False)
    url = forms.URLField(label="Ссылка", required=False, max_length=1000, assume_scheme="https")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("url"):
            raise forms.ValidationError("Приложите файл или укажите ссылку.")
        return cleaned


class SchoolReportForm(forms.Form):
    status = forms.ChoiceField(
        label="Статус",
        choices=[(ItemStatus.DONE, "выполнено"), (ItemStatus.IN_PROGRESS, "выполняется")],
        initial=ItemStatus.DONE,
    )
    completed_on = forms.DateField(label="Дата выполнения", required=False, **DATE_WIDGET)
    report_text = forms.CharField(label="Что сделано", widget=forms.Textarea(attrs={"rows": 4}))
    evidence_title = forms.CharField(label="Описание подтверждения", max_length=300, required=False)
    evidence_file = forms.FileField(label="Файл (приказ, протокол…)", required=False)
    evidence_url = forms.URLField(
        label="…или ссылка", required=False, max_length=1000, assume_scheme="https"
    )

    @staticmethod
    def initial_from(report: SchoolReport | None) -> dict[str, Any]:
        """The form's initial values: the school's saved report, if there is one."""
        if report is None:
            return {}
        return {
            "status": report.status,
            "completed_on": report.completed_on,
            "report_text": report.report_text,
        }

    def report_fields(self) -> dict[str, Any]:
        """The cleaned fields as ``execution.report_for_school`` takes them."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "completed_on": data["completed_on"],
            "report_text": data["report_text"],
            "evidence_file": data["evidence_file"],
            "evidence_url": data["evidence_url"] or "",
            "evidence_title": data["evidence_title"],
        }


class SectionForm(forms.Form):
    number = forms.CharField(label="Номер", max_length=30, required=False)
    title = forms.CharField(label="Название раздела", required=False)


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Статус", required=False, choices=[("", "Все статусы"), *ItemStatus.choices]
    )
    responsible = forms.CharField(label="Ответственный", required=False)
    overdue = forms.BooleanField(label="Только просроченные", required=False)
    month = forms.ChoiceField(label="Месяц", required=False)

    def __init__(self, *args, months=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "Любой месяц"), *months]


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices)
