from django import forms


class IndicatorFilterForm(forms.Form):
    year = forms.IntegerField(label="Год", required=False)
    municipality = forms.CharField(label="Муниципалитет", required=False)
    test = forms.CharField(label="Работа", required=False)
    only_flagged = forms.BooleanField(label="Только с признаками", required=False)
    sort = forms.ChoiceField(
        label="Сортировка",
        required=False,
        choices=[
            ("strength", "по силе признаков"),
            ("school", "по ОО"),
            ("municipality", "по муниципалитету"),
            ("n", "по числу участников"),
        ],
    )


class RecomputeForm(forms.Form):
    year = forms.IntegerField(label="Год", min_value=2015, max_value=2100)


class OfficialListForm(forms.Form):
    file = forms.FileField(label="Перечень ОО (XLSX)")
    year = forms.IntegerField(label="Год (если его нет в файле)", required=False)
