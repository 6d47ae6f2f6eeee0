"""Read-only API of plans, sections and items, scoped like the pages.

Staff read the plans of their municipalities; a school coordinator reads only the items
their school answers for (and no plans or sections as such).
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from rest_framework import serializers, viewsets

from plans import selectors
from plans.models import (
    DeadlineKind,
    Item,
    ItemStatus,
    PartyRole,
    Plan,
    PlanStatus,
    Responsible,
    Section,
)


class PlanSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name")

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "municipality",
            "period_start",
            "period_end",
            "status",
            "approval_position",
            "approval_name",
            "approval_date",
            "basis",
            "order_reference",
            "goal",
            "tasks",
            "expected_results",
            "copied_from",
            "updated_at",
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "plan", "number", "title", "position"]


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    from_schedule = serializers.BooleanField()


class ResponsibleSerializer(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.CharField()
    role = serializers.CharField()
    school = serializers.IntegerField(source="school_id", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)


class ItemSerializer(serializers.ModelSerializer):
    deadline = serializers.SerializerMethodField()
    responsible = ResponsibleSerializer(source="responsibles", many=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "plan",
            "section",
            "parent",
            "position",
            "number",
            "text",
            "deadline",
            "responsible",
            "responsible_text",
            "expected_result",
            "status",
            "is_overdue",
            "completed_on",
            "report_text",
        ]

    def get_deadline(self, item: Item) -> dict:
        return {
            "text": item.deadline_text,
            "kind": item.deadline_kind,
            "windows": WindowSerializer(item.window_list(), many=True).data,
        }

    def get_is_overdue(self, item: Item) -> bool:
        return item.is_overdue_on(self.context.get("today") or timezone.localdate())


class PlanFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = Plan
        fields = ["status", "municipality"]


class ItemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ItemStatus.choices)
    deadline_kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    window_from = django_filters.DateFilter(
        method="filter_window", label="Окно срока заканчивается не раньше"
    )
    window_to = django_filters.DateFilter(
        method="filter_window", label="Окно срока начинается не позже"
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Просрочено")
    responsible = django_filters.CharFilter(method="filter_responsible", label="Ответственный")

    class Meta:
        model = Item
        fields = ["plan", "section", "parent", "status", "deadline_kind"]

    def filter_window(self, queryset, name, value):
        # Both bounds are applied together (overlap with [window_from, window_to]).
        start = self.form.cleaned_data.get("window_from")
        end = self.form.cleaned_data.get("window_to")
        return queryset.in_window(start=start, end=end)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Item.objects.overdue(today=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_responsible(self, queryset, name, value):
        """Party text (any case) or role, e.g. "руководители" or "school_heads".

        Matched in Python: SQLite's LIKE folds the case of Latin letters only.
        """
        needle = value.strip().casefold()
        if not needle:
            return queryset
        roles = {role for role, label in PartyRole.choices if needle in (role, label.casefold())}
        parties = Responsible.objects.filter(item__in=queryset).values_list(
            "item_id", "text", "role"
        )
        ids = {
            item_id for item_id, text, role in parties if needle in text.casefold() or role in roles
        }
        return queryset.filter(pk__in=ids)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["period_start", "title", "updated_at"]

    def get_queryset(self):
        return selectors.plans_for_user(self.request.user).select_related("municipality")


class SectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SectionSerializer
    filterset_fields = ["plan"]

    def get_queryset(self):
        return Section.objects.filter(plan__in=selectors.plans_for_user(self.request.user))


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["position", "completed_on"]

    def get_queryset(self):
        return (
            selectors.items_for_api(self.request.user)
            .prefetch_related("windows", "responsibles")
            .order_by("plan_id", "section__position", "position", "pk")
        )


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-sections", SectionViewSet, basename="plan-section")
    router.register("plan-items", ItemViewSet, basename="plan-item")
