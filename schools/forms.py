from django import forms

from schools.models import Locality, SchoolType


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False)
    municipality = forms.TypedChoiceField(
        label="Муниципалитет", required=False, coerce=int, empty_value=None
    )
    school_type = forms.ChoiceField(
        label="Тип", required=False, choices=[("", "Все типы"), *SchoolType.choices]
    )
    locality = forms.ChoiceField(
        label="Местность", required=False, choices=[("", "Везде"), *Locality.choices]
    )
    active = forms.ChoiceField(
        label="Статус",
        required=False,
        choices=[("", "Все"), ("1", "Действующие"), ("0", "Закрытые")],
    )
    sort = forms.CharField(required=False)

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", "Все муниципалитеты")] + [
            (m.pk, m.name) for m in municipalities
        ]


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label="Файл реестра (.xlsx или .csv)",
        help_text="Столбцы: Логин, Наименование, Краткое наименование, Муниципалитет, Тип, Местность.",
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("Загрузите файл .xlsx или .csv.")
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError("Файл больше 10 МБ — это не похоже на реестр ОО.")
        return uploaded
