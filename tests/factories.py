"""factory_boy factories shared by the test suite (one section per app)."""

import factory
from django.contrib.auth import get_user_model

from results.models import Test, TestTask
from schools.models import Membership, Municipality, Region, School, SchoolType
from vpr_portal.roles import Role


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Регион {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципалитет {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    login = factory.Sequence(lambda n: f"edu{500000 + n:06d}")
    municipality = factory.SubFactory(MunicipalityFactory)
    full_name = factory.Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n}»")
    short_name = factory.Sequence(lambda n: f"СОШ № {n}")
    school_type = SchoolType.SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF


def make_staff(*, municipality: Municipality, username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, role=Role.STAFF, municipality=municipality)
    return user


def make_region_staff(*, region: Region):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.STAFF, region=region)
    return user


def make_coordinator(*, school: School, username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, role=Role.COORDINATOR, school=school)
    return user


def make_administrator():
    user = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=user, role=Role.ADMINISTRATOR)
    return user


class TestFactory(factory.django.DjangoModelFactory):
    """A small catalog test: 4 tasks, max 10, cuts 4/6/8."""

    class Meta:
        model = Test

    year = 2026
    session = "spring"
    subject = "Математика"
    grade = factory.Sequence(lambda n: 4 + n % 5)
    max_score = 10
    cut_3 = 4
    cut_4 = 6
    cut_5 = 8

    @factory.post_generation
    def tasks(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted or [("1", 2, "Б"), ("2", 2, "Б"), ("3", 3, "Б"), ("4", 3, "П")]
        for position, (number, maximum, level) in enumerate(specs, start=1):
            TestTask.objects.create(
                test=obj, position=position, number=number, max_score=maximum, level=level
            )
