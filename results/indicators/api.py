"""API of the objectivity indicators: the stored signs per school × test, read-only.

Every row comes through ``indicators_for_user``, the pages' scoped selector, so a
coordinator sees their own school only and any other id is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from results.indicators import selectors
from results.models import SchoolTestIndicator
from schools import roles
from vpr_portal.api_filters import IdFilter, SmallIntegerFilter


class SchoolTestIndicatorSerializer(serializers.ModelSerializer):
    """The list's shape: the export's ``{letter: {p, effect}}`` plus the decision."""

    school = serializers.CharField(source="school.login", read_only=True)
    school_id = serializers.IntegerField(read_only=True)
    school_name = serializers.CharField(source="school.short_name", read_only=True)
    municipality = serializers.CharField(source="school.municipality.name", read_only=True)
    subject = serializers.CharField(source="test.subject", read_only=True)
    grade = serializers.IntegerField(source="test.grade", read_only=True)
    signs = serializers.SerializerMethodField()
    card_url = serializers.SerializerMethodField()
    q_values = serializers.SerializerMethodField()

    class Meta:
        model = SchoolTestIndicator
        fields = [
            "id",
            "year",
            "school",
            "school_id",
            "school_name",
            "municipality",
            "test",
            "subject",
            "grade",
            "n_pupils",
            "is_selective",
            "insufficient",
            "flagged",
            "strength",
            "surviving",
            "q_values",
            "annotations",
            "signs",
            "card_url",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.DictField()))
    def get_signs(self, row: SchoolTestIndicator) -> dict[str, Any]:
        return selectors.sign_summary(row)

    @extend_schema_field(serializers.DictField(child=serializers.FloatField()))
    def get_q_values(self, row: SchoolTestIndicator) -> dict[str, float]:
        # Looked up in the year's BH curve; one lookup (and its cache) per request.
        lookup = self.context.get("q_values")
        if lookup is None:
            lookup = self.context["q_values"] = selectors.QValues()
        return lookup(row)

    def get_card_url(self, row: SchoolTestIndicator) -> str:
        url = reverse("results:indicators_card", args=[row.school_id])
        return self.context["request"].build_absolute_uri(f"{url}?year={row.year}")


class SchoolTestIndicatorDetailSerializer(SchoolTestIndicatorSerializer):
    """One row with every sign in full: reason, score and the evidence behind the charts."""

    signs = serializers.SerializerMethodField()
    evaluated_against_last_full_pass = serializers.SerializerMethodField(
        help_text="The school was evaluated after an upload against the region's references "
        "of the test's last full evaluation; the next full pass refits them."
    )

    class Meta(SchoolTestIndicatorSerializer.Meta):
        fields = [*SchoolTestIndicatorSerializer.Meta.fields, "evaluated_against_last_full_pass"]

    @extend_schema_field(serializers.DictField(child=serializers.DictField()))
    def get_signs(self, row: SchoolTestIndicator) -> dict[str, Any]:
        return selectors.signs_with_evidence(row)

    def get_evaluated_against_last_full_pass(self, row: SchoolTestIndicator) -> bool:
        return selectors.evaluated_against_last_full_pass(row)


class SchoolTestIndicatorFilter(django_filters.FilterSet):
    year = SmallIntegerFilter(field_name="year")
    test = IdFilter(field_name="test_id")
    subject = django_filters.CharFilter(field_name="test__subject", lookup_expr="iexact")
    grade = SmallIntegerFilter(field_name="test__grade")
    municipality = IdFilter(field_name="school__municipality_id")
    school = IdFilter(field_name="school_id")
    school_login = django_filters.CharFilter(field_name="school__login")
    flagged = django_filters.BooleanFilter(field_name="flagged")

    class Meta:
        model = SchoolTestIndicator
        fields = [
            "year",
            "test",
            "subject",
            "grade",
            "municipality",
            "school",
            "school_login",
            "flagged",
        ]


class CanReadIndicators(BasePermission):
    def has_permission(self, request, view) -> bool:
        return roles.has_role(
            request.user, roles.Role.COORDINATOR, roles.Role.STAFF, roles.Role.ADMINISTRATOR
        )


class SchoolTestIndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Signs per school and test: /api/indicators/?year=&test=&municipality=&school=&flagged=

    The list gives each applicable sign's p-value and effect; the detail adds the evidence.
    Ordered by strength (strongest first) unless ``ordering`` says otherwise.
    """

    permission_classes = [IsAuthenticated, CanReadIndicators]
    filterset_class = SchoolTestIndicatorFilter
    ordering_fields = ["strength", "n_pupils", "year", "school__login"]

    def get_queryset(self):
        # The ordering ends on the primary key so that pages are stable.
        return selectors.indicators_for_user(self.request.user).order_by(
            "-year", "-strength", "school__login", "test__grade", "test__subject", "pk"
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SchoolTestIndicatorDetailSerializer
        return SchoolTestIndicatorSerializer
