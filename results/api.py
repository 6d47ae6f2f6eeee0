"""API of the results app (catalog read-only)."""

from rest_framework import serializers, viewsets

from results.models import Test, TestTask


class TestTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = TestTask
        fields = ["number", "max_score", "level"]


class TestSerializer(serializers.ModelSerializer):
    tasks = TestTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Test
        fields = [
            "id",
            "year",
            "session",
            "subject",
            "grade",
            "max_score",
            "cut_3",
            "cut_4",
            "cut_5",
            "tasks",
        ]


class TestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TestSerializer
    queryset = Test.objects.prefetch_related("tasks").order_by("-year", "grade", "subject")
    filterset_fields = ["year", "session", "subject", "grade"]


def register(router) -> None:
    router.register("tests", TestViewSet, basename="test")
