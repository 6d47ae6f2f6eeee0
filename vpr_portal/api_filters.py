"""Query-parameter filters for the API that refuse out-of-range numbers with a 400.

A foreign-key id such as `?school=99999999999999999999` does not fit the database's
64-bit integer: passed through, it crashed the query (500). These filters validate the
number first, so the answer is a 400 with a Russian message naming the parameter.
"""

import django_filters
from django import forms

ID_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


class BoundedIntegerField(forms.IntegerField):
    def __init__(self, *args, min_value=None, max_value=None, **kwargs) -> None:
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
        self.error_messages.update(
            {
                "invalid": "Нужно целое число.",
                "max_value": "Слишком большое число: не больше %(limit_value)s.",
                "min_value": "Слишком маленькое число: не меньше %(limit_value)s.",
            }
        )


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 to 2^63 − 1."""

    field_class = BoundedIntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class SmallIntegerFilter(django_filters.NumberFilter):
    """A year, a grade: a whole number that fits a 32-bit column."""

    field_class = BoundedIntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", -INT_MAX)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)
