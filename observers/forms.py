"""Forms validate input only; the rules live in observers.services."""

from __future__ import annotations

from django import forms

from observers.models import Observer, ObserverStatus, Stage, TieKind, ViolationType
from observers.services.acts import ActDraft


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class UploadForm(forms.Form):
    file = forms.FileField(label="Файл (.xlsx или .csv)")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("Загрузите файл .xlsx или .csv.")
        if uploaded.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Файл больше 5 МБ — это не похоже на список.")
        return uploaded


# --- registry --------------------------------------------------------------------------------


class ObserverFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False)
    status = forms.ChoiceField(
        label="Статус", required=False, choices=[("", "Все статусы"), *ObserverStatus.choices]
    )
    municipality = forms.TypedChoiceField(
        label="Муниципалитет", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", "Все муниципалитеты")] + [
            (m.pk, m.name) for m in municipalities
        ]
        _bootstrap(self)


class ObserverForm(forms.ModelForm):
    class Meta:
        model = Observer
        fields = [
            "municipality",
            "last_name",
            "first_name",
            "middle_name",
            "phone",
            "email",
            "employer",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, municipalities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities
        _bootstrap(self)


class TrainingForm(forms.Form):
    completed_on = forms.DateField(label="Дата окончания обучения", widget=DateInput())
    certificate_number = forms.CharField(label="Номер удостоверения", max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class AccreditForm(forms.Form):
    until = forms.DateField(label="Аккредитован до", widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class SuspendForm(forms.Form):
    reason = forms.CharField(label="Причина", max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class TieForm(forms.Form):
    school = forms.ModelChoiceField(label="ОО", queryset=None)
    kind = forms.ChoiceField(label="Связь", choices=TieKind.choices)
    note = forms.CharField(label="Пояснение", required=False, max_length=300)

    def __init__(self, *args, schools=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        _bootstrap(self)


# --- schedule and assignments --------------------------------------------------------------------


class SessionForm(forms.Form):
    school = forms.ModelChoiceField(label="ОО", queryset=None)
    test = forms.ModelChoiceField(label="Работа", queryset=None)
    class_label = forms.CharField(label="Класс", max_length=10, help_text="Например, 4А.")
    date = forms.DateField(label="Дата", widget=DateInput())
    start_time = forms.TimeField(label="Начало", widget=TimeInput())
    end_time = forms.TimeField(label="Окончание", widget=TimeInput())

    def __init__(self, *args, schools=None, tests=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["test"].queryset = tests
        if schools is not None and schools.count() == 1:
            # A coordinator has one school: nothing to choose.
            self.fields["school"].initial = schools.first().pk
        _bootstrap(self)


class AssignForm(forms.Form):
    observer = forms.ModelChoiceField(label="Наблюдатель", queryset=None)
    stage = forms.ChoiceField(label="Этап", choices=Stage.choices, initial=Stage.TEST)
    date = forms.DateField(label="Дата", required=False, widget=DateInput())
    start_time = forms.TimeField(label="С", required=False, widget=TimeInput())
    end_time = forms.TimeField(label="До", required=False, widget=TimeInput())

    def __init__(self, *args, observers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observer"].queryset = observers
        _bootstrap(self)


class PlanningFilterForm(forms.Form):
    date_from = forms.DateField(label="С", required=False, widget=DateInput())
    date_to = forms.DateField(label="По", required=False, widget=DateInput())
    municipality = forms.TypedChoiceField(
        label="Муниципалитет", required=False, coerce=int, empty_value=None
    )
    uncovered = forms.BooleanField(label="Только без наблюдателя", required=False)

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", "Все муниципалитеты")] + [
            (m.pk, m.name) for m in municipalities
        ]
        _bootstrap(self)


class YearFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Год", coerce=int, required=False, empty_value=None)
    municipality = forms.TypedChoiceField(
        label="Муниципалитет", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, years=(), municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["municipality"].choices = [("", "Все муниципалитеты")] + [
            (m.pk, m.name) for m in municipalities
        ]
        _bootstrap(self)


# --- the act ---------------------------------------------------------------------------------------


class ActForm(forms.Form):
    """Every field optional: the same form autosaves half-filled drafts."""

    observed_from = forms.TimeField(
        label="Время начала наблюдения", required=False, widget=TimeInput()
    )
    observed_to = forms.TimeField(
        label="Время окончания наблюдения", required=False, widget=TimeInput()
    )
    stage = forms.ChoiceField(label="Этап, на котором велось наблюдение", choices=Stage.choices)
    no_violations = forms.BooleanField(label="Нарушений не выявлено", required=False)
    violations = forms.ModelMultipleChoiceField(
        label="Выявлены нарушения",
        queryset=ViolationType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comments = forms.CharField(
        label="Комментарии", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    @classmethod
    def for_act(cls, act, data=None) -> ActForm:
        initial = {
            "observed_from": act.observed_from,
            "observed_to": act.observed_to,
            "stage": act.stage,
            "no_violations": act.no_violations,
            "violations": list(act.violations.values_list("pk", flat=True)) if act.pk else [],
            "comments": act.comments,
        }
        return cls(data, initial=initial)

    def to_draft(self) -> ActDraft:
        data = self.cleaned_data
        return ActDraft(
            observed_from=data.get("observed_from"),
            observed_to=data.get("observed_to"),
            stage=data.get("stage") or "",
            no_violations=bool(data.get("no_violations")),
            violation_ids=[v.pk for v in data.get("violations") or []],
            comments=data.get("comments") or "",
        )


class PhotoForm(forms.Form):
    # A plain file field: the service decides what is an image (with Pillow) and how big.
    photo = forms.FileField(label="Фото")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Принять"), ("return", "Вернуть на доработку")]
    )
    comment = forms.CharField(
        label="Комментарий", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
