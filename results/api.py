"""API of the results app: the catalog, uploads, pupils' rows and report data.

Every queryset goes through the same scoped selectors as the pages, so an id outside
the user's scope is a 404 here too.
"""

import django_filters
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from results import selectors
from results.forms import ReportFilterForm
from results.indicators.api import SchoolTestIndicatorViewSet
from results.models import PupilResult, Test, TestTask, Upload, UploadSource
from results.selectors import reports as report_selectors
from results.services import uploads as upload_services
from schools import roles
from schools.models import Municipality, School
from vpr_portal import audit
from vpr_portal.api_filters import ID_MAX, IdFilter


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


# --- Uploads, pupils' rows and report data (scoped like the pages) -------------------------


class UploadSerializer(serializers.ModelSerializer):
    test = serializers.PrimaryKeyRelatedField(read_only=True)
    # An upload is for one school or for a whole municipality: the other one is null.
    school = serializers.SlugRelatedField(slug_field="login", read_only=True, allow_null=True)
    municipality = serializers.StringRelatedField(read_only=True, allow_null=True)
    progress = serializers.SerializerMethodField()
    error_report_url = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "id",
            "original_filename",
            "sha256",
            "size",
            "test",
            "school",
            "municipality",
            "status",
            "progress",
            "message",
            "file_format",
            "rows_total",
            "rows_applied",
            "rows_rejected",
            "rows_absent",
            "error_count",
            "warning_count",
            "mark_mismatch_count",
            "summary",
            "errors_preview",
            "error_report_url",
            "status_url",
            "created_at",
            "finished_at",
        ]

    def get_progress(self, upload: Upload) -> int:
        if upload.is_finished:
            return 100
        return upload.job.progress if upload.job_id else 0

    def get_error_report_url(self, upload: Upload) -> str | None:
        if not upload.error_report:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("results:upload_errors", args=[upload.pk])
        )

    def get_status_url(self, upload: Upload) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("upload-detail", args=[upload.pk])
        )


class UploadCreateSerializer(serializers.Serializer):
    """Multipart: the file and, optionally, the test and the scope (checked like the form)."""

    file = serializers.FileField()
    test = serializers.PrimaryKeyRelatedField(queryset=Test.objects.all(), required=False)
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.none(), required=False)
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # schema generation
            return
        user = request.user
        if roles.is_department_staff(user):
            self.fields["school"].queryset = roles.visible_schools(user)
            self.fields["municipality"].queryset = roles.visible_municipalities(user)
        else:
            self.fields["school"].queryset = roles.coordinated_schools(user)

    def validate_file(self, uploaded):
        # The same limit as the page's form (PORTAL_RESULTS_MAX_UPLOAD_MB).
        from django.conf import settings

        limit = settings.PORTAL_RESULTS_MAX_UPLOAD_MB
        if uploaded.size > limit * 1024 * 1024:
            raise serializers.ValidationError(
                f"Файл больше {limit} МБ: такие загружаются командой import_results."
            )
        return uploaded

    def validate(self, attrs: dict) -> dict:
        user = self.context["request"].user
        school, municipality = attrs.get("school"), attrs.get("municipality")
        if not roles.is_department_staff(user):
            if school is None:
                schools = list(roles.coordinated_schools(user)[:2])
                if len(schools) != 1:
                    raise serializers.ValidationError({"school": "Укажите ОО."})
                attrs["school"] = schools[0]
        elif school is None and municipality is None:
            raise serializers.ValidationError(
                {"municipality": "Укажите муниципалитет (или ОО для одной школы)."}
            )
        if school is not None:
            attrs["municipality"] = None
        return attrs


class CanUploadResults(BasePermission):
    def has_permission(self, request, view) -> bool:
        return roles.has_role(
            request.user, roles.Role.COORDINATOR, roles.Role.STAFF, roles.Role.ADMINISTRATOR
        )


@extend_schema_view(
    create=extend_schema(request=UploadCreateSerializer, responses={201: UploadSerializer})
)
class UploadViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Uploads of results files: create (multipart), then poll the status."""

    permission_classes = [IsAuthenticated, CanUploadResults]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status", "test", "school"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.uploads_for_user(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return UploadCreateSerializer if self.action == "create" else UploadSerializer

    def create(self, request, *args, **kwargs):
        incoming = UploadCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with transaction.atomic():
            created = upload_services.submit_upload(
                file=data["file"],
                filename=data["file"].name,
                user=request.user,
                test=data.get("test"),
                school=data.get("school"),
                municipality=data.get("municipality"),
                source=UploadSource.API,
            )
        if created.upload is None:
            previous = created.unchanged.upload
            visible = self.get_queryset().filter(pk=previous.pk).first()
            return Response(
                {
                    "unchanged": True,
                    "message": created.unchanged.message,
                    "upload": UploadSerializer(visible, context={"request": request}).data
                    if visible
                    else None,
                },
                status=status.HTTP_200_OK,
            )
        body = UploadSerializer(created.upload, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PupilResultSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.login", read_only=True)
    scores = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    unanswered_tasks = serializers.SerializerMethodField()

    class Meta:
        model = PupilResult
        fields = [
            "id",
            "school",
            "test",
            "class_label",
            "participant_code",
            "variant",
            "sex",
            "scores",
            "unanswered_tasks",
            "primary_score",
            "mark",
            "mark_matches_scale",
            "journal_mark",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_unanswered_tasks(self, row: PupilResult) -> list[int]:
        """0-based positions of the tasks left unanswered, in the catalog's order."""
        return row.unanswered_tasks


class PupilResultFilter(django_filters.FilterSet):
    school = IdFilter(field_name="school_id")
    school_login = django_filters.CharFilter(field_name="school__login")
    test = IdFilter(field_name="test_id")
    class_label = django_filters.CharFilter(field_name="class_label")

    class Meta:
        model = PupilResult
        fields = ["school", "school_login", "test", "class_label"]


class PupilResultViewSet(audit.LogsPupilRows, viewsets.ReadOnlyModelViewSet):  # audit: reads logged
    """Pupils' current results (codes only), filtered by school, test and class."""

    serializer_class = PupilResultSerializer
    permission_classes = [IsAuthenticated, CanUploadResults]
    filterset_class = PupilResultFilter
    ordering_fields = ["participant_code", "primary_score"]

    def get_queryset(self):
        return (
            selectors.results_for_user(self.request.user)
            .select_related("school")
            .order_by("school_id", "test_id", "source_row", "pk")
        )


_NUMBER_ERRORS = {
    "invalid": "Нужно целое число.",
    "max_value": "Слишком большое число: не больше {max_value}.",
    "min_value": "Слишком маленькое число: не меньше {min_value}.",
}


def _number(max_value: int) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=max_value,
        error_messages=_NUMBER_ERRORS,
    )


class ReportIdsSerializer(serializers.Serializer):
    """The report's id parameters are whole numbers the database can hold (else a 400)."""

    test = _number(ID_MAX)
    municipality = _number(ID_MAX)
    school = _number(ID_MAX)
    year = _number(9999)


_REPORT_FILTERS = [
    OpenApiParameter("test", int, description="Работа (id каталога); по умолчанию — последняя"),
    OpenApiParameter("municipality", int, description="Муниципалитет (для специалистов)"),
    OpenApiParameter("school", int, description="ОО; без неё специалист видит строку на каждую ОО"),
    OpenApiParameter("class_label", str, description="Класс, например «4А»"),
]


@extend_schema_view(
    list=extend_schema(
        responses=inline_serializer(
            "ReportKind",
            {
                "kind": serializers.CharField(),
                "title": serializers.CharField(),
                "url": serializers.URLField(),
            },
            many=True,
        ),
        operation_id="reports_list",
    ),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                enum=list(report_selectors.REPORT_TITLES),
                description="Вид отчёта",
            ),
            *_REPORT_FILTERS,
        ],
        responses=OpenApiTypes.OBJECT,
    ),
)
class ReportViewSet(viewsets.ViewSet):
    """Report data as JSON: /api/reports/<kind>/?test=&municipality=&school=&class_label=

    Kinds: marks, journal, histogram, tasks, dynamics. The same numbers as the pages.
    """

    permission_classes = [IsAuthenticated, CanUploadResults]

    def list(self, request, format=None):  # the router's .json suffix passes format
        return Response(
            [
                {"kind": kind, "title": title, "url": request.build_absolute_uri(f"{kind}/")}
                for kind, title in report_selectors.REPORT_TITLES.items()
            ]
        )

    def retrieve(self, request, pk: str | None = None, format=None):
        if pk not in report_selectors.REPORT_TITLES:
            raise Http404("Нет такого отчёта")
        ReportIdsSerializer(data=request.query_params).is_valid(raise_exception=True)
        form = ReportFilterForm(request.query_params, user=request.user)
        filters = form.filters()
        if filters["test"] is None:
            raise Http404("Нет загруженных результатов")
        scope = report_selectors.resolve_scope(
            request.user,
            test=filters["test"],
            municipality_id=filters["municipality_id"],
            school_id=filters["school_id"],
            class_label=filters["class_label"],
        )
        return Response(report_selectors.build_report(pk, scope))


def register(router) -> None:
    router.register("tests", TestViewSet, basename="test")
    router.register("uploads", UploadViewSet, basename="upload")
    router.register("results", PupilResultViewSet, basename="pupil-result")
    router.register("reports", ReportViewSet, basename="report")
    router.register("indicators", SchoolTestIndicatorViewSet, basename="school-test-indicator")
