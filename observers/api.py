"""API of the observers app, scoped exactly like the pages (observers.selectors)."""

from __future__ import annotations

from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from observers import selectors
from observers.models import Act, Assignment, Observer, ScheduledSession, Stage
from observers.services import ObserversError
from observers.services import assignments as assignment_services
from schools import roles


class IsDepartmentStaff(permissions.BasePermission):
    message = "Доступно только специалистам управления образования."

    def has_permission(self, request, view) -> bool:
        return roles.is_department_staff(request.user)


class ObserverSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name")
    full_name = serializers.CharField()
    ties = serializers.SerializerMethodField()

    class Meta:
        model = Observer
        fields = [
            "id",
            "full_name",
            "last_name",
            "first_name",
            "middle_name",
            "municipality",
            "status",
            "training_completed_on",
            "certificate_number",
            "accredited_until",
            "phone",
            "email",
            "employer",
            "ties",
        ]

    def get_ties(self, observer: Observer) -> list[dict]:
        return [{"school": t.school.login, "kind": t.kind} for t in observer.ties.all()]


class ObserverViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry: department staff only (personal data of volunteers)."""

    serializer_class = ObserverSerializer
    permission_classes = [permissions.IsAuthenticated, IsDepartmentStaff]
    filterset_fields = ["status", "municipality"]
    ordering_fields = ["last_name", "accredited_until"]

    def get_queryset(self):
        return (
            selectors.observers_for_user(self.request.user)
            .prefetch_related("ties__school")
            .order_by("last_name", "first_name", "pk")
        )


class ScheduledSessionSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.login")
    subject = serializers.CharField(source="test.subject")
    grade = serializers.IntegerField(source="test.grade")

    class Meta:
        model = ScheduledSession
        fields = [
            "id",
            "school",
            "test",
            "subject",
            "grade",
            "class_label",
            "date",
            "start_time",
            "end_time",
        ]


class ScheduledSessionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ScheduledSessionSerializer
    filterset_fields = ["date", "test", "school"]
    ordering_fields = ["date", "start_time"]

    def get_queryset(self):
        return selectors.sessions_for_user(self.request.user).order_by("date", "start_time", "pk")


class AssignmentSerializer(serializers.ModelSerializer):
    observer_name = serializers.CharField(source="observer.full_name", read_only=True)
    school = serializers.CharField(source="session.school.login", read_only=True)
    school_name = serializers.CharField(source="session.school.display_name", read_only=True)
    subject = serializers.CharField(source="session.test.subject", read_only=True)
    class_label = serializers.CharField(source="session.class_label", read_only=True)
    act = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "observer",
            "observer_name",
            "session",
            "school",
            "school_name",
            "subject",
            "class_label",
            "stage",
            "date",
            "start_time",
            "end_time",
            "status",
            "act",
        ]
        read_only_fields = fields

    def get_act(self, assignment: Assignment) -> dict | None:
        act = selectors.act_of(assignment)
        return {"id": act.pk, "status": act.status} if act else None


class AssignmentCreateSerializer(serializers.Serializer):
    observer = serializers.PrimaryKeyRelatedField(queryset=Observer.objects.none())
    session = serializers.PrimaryKeyRelatedField(queryset=ScheduledSession.objects.none())
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.TEST)
    date = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False)
    end_time = serializers.TimeField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = self.context["request"].user
        # Ids outside the user's territory read as «does not exist».
        self.fields["observer"].queryset = selectors.observers_for_user(user)
        self.fields["session"].queryset = selectors.sessions_for_user(user)


class AssignmentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Staff: assignments of their territory (and create, with the conflict rules).
    An observer: their own assignments only."""

    serializer_class = AssignmentSerializer
    filterset_fields = ["date", "status", "stage", "observer"]
    ordering_fields = ["date", "start_time"]

    def get_queryset(self):
        return (
            selectors.assignments_for_user(self.request.user)
            .select_related("act")
            .order_by("date", "start_time", "pk")
        )

    def create(self, request, *args, **kwargs):
        if not roles.is_department_staff(request.user):
            return Response({"detail": IsDepartmentStaff.message}, status=status.HTTP_403_FORBIDDEN)
        incoming = AssignmentCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            assignment = assignment_services.create_assignment(
                observer=data["observer"],
                session=data["session"],
                assigned_by=request.user,
                stage=data["stage"],
                date=data.get("date"),
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
            )
        except assignment_services.AssignmentRefused as exc:
            return Response(
                {"detail": exc.message_ru, "rules": exc.rules}, status=status.HTTP_400_BAD_REQUEST
            )
        except ObserversError as exc:
            return Response({"detail": exc.message_ru}, status=status.HTTP_400_BAD_REQUEST)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class ActSerializer(serializers.ModelSerializer):
    violations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    school = serializers.CharField(source="assignment.session.school.login")
    date = serializers.DateField(source="assignment.date")
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Act
        fields = [
            "id",
            "assignment",
            "school",
            "date",
            "status",
            "observed_from",
            "observed_to",
            "stage",
            "no_violations",
            "violations",
            "comments",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "photos",
        ]

    def get_photos(self, act: Act) -> int:
        return act.photos.count()


class ActViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff: acts of their territory. An observer: their own acts only."""

    serializer_class = ActSerializer
    filterset_fields = ["status", "stage", "no_violations"]
    ordering_fields = ["submitted_at"]

    def get_queryset(self):
        return (
            selectors.acts_for_user(self.request.user)
            .prefetch_related("violations")
            .order_by("-submitted_at", "-pk")
        )


def register(router) -> None:
    router.register("observers", ObserverViewSet, basename="observer")
    router.register("vpr-schedule", ScheduledSessionViewSet, basename="vpr-session")
    router.register("observer-assignments", AssignmentViewSet, basename="observer-assignment")
    router.register("observer-acts", ActViewSet, basename="observer-act")
