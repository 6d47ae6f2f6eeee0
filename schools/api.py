"""Read-only API of the registry, scoped like the pages."""

from rest_framework import serializers, viewsets

from schools.models import School
from schools.roles import visible_schools


class SchoolSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name")

    class Meta:
        model = School
        fields = [
            "id",
            "login",
            "full_name",
            "short_name",
            "municipality",
            "school_type",
            "locality",
            "is_active",
        ]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolSerializer
    filterset_fields = ["school_type", "locality", "is_active", "municipality"]
    ordering_fields = ["login", "short_name"]

    def get_queryset(self):
        return visible_schools(self.request.user).select_related("municipality").order_by("login")


def register(router) -> None:
    router.register("schools", SchoolViewSet, basename="school")
