"""Demo territory, schools and users (seed_demo)."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from schools.models import Locality, Membership, Municipality, Region, School, SchoolType
from schools.roles import Role
from vpr_portal.demo import DEMO_PASSWORD

REGION_NAME = "Демонстрационная область"
CITY = "Городской округ Светлогорск"
DISTRICT = "Заречный муниципальный район"

_STREETS = ["Ленина", "Мира", "Советская", "Школьная", "Садовая", "Молодёжная", "Центральная"]
_SURNAMES = [
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Морозов",
    "Волков",
    "Новикова",
]
_INITIALS = ["А.В.", "Е.Н.", "И.П.", "М.С.", "О.Г.", "Т.А.", "Н.В.", "С.Ю."]
_VILLAGES = [
    "Берёзовка",
    "Покровское",
    "Никольское",
    "Озёрный",
    "Луговое",
    "Сосновка",
    "Каменка",
    "Рябиновка",
]


def _school_specs() -> list[dict]:
    specs: list[dict] = [
        {
            "n": 1,
            "type": SchoolType.LYCEUM,
            "short": "Лицей № 1",
            "full": "Муниципальное автономное общеобразовательное учреждение «Лицей № 1»",
        },
        {"n": 2, "type": SchoolType.SCHOOL, "short": "СОШ № 2"},
        {
            "n": 3,
            "type": SchoolType.GYMNASIUM,
            "short": "Гимназия № 3",
            "full": "Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 3»",
        },
    ]
    for n in range(4, 23):
        specs.append({"n": n, "type": SchoolType.SCHOOL, "short": f"СОШ № {n}"})
    specs.append({"n": 23, "type": SchoolType.EDUCATION_CENTRE, "short": "Центр образования № 23"})
    specs.append({"n": 24, "type": SchoolType.BOARDING, "short": "Школа-интернат № 24"})
    for spec in specs:
        spec.setdefault(
            "full",
            f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № {spec['n']}»",
        )
        spec["municipality"] = CITY
        spec["locality"] = Locality.CITY
    for i, village in enumerate(_VILLAGES, start=1):
        specs.append(
            {
                "n": 100 + i,
                "type": SchoolType.SCHOOL if i != 3 else SchoolType.PRIMARY,
                "short": f"{'СОШ' if i != 3 else 'НОШ'} с. {village}",
                "full": f"Муниципальное казённое общеобразовательное учреждение «{'Средняя' if i != 3 else 'Начальная'} общеобразовательная школа с. {village}»",
                "municipality": DISTRICT,
                "locality": Locality.VILLAGE,
            }
        )
    return specs


@transaction.atomic
def seed_territory(*, rng: random.Random) -> dict[str, School]:
    region, _ = Region.objects.get_or_create(name=REGION_NAME, defaults={"code": "99"})
    municipalities = {
        name: Municipality.objects.get_or_create(region=region, name=name)[0]
        for name in (CITY, DISTRICT)
    }
    schools: dict[str, School] = {}
    for spec in _school_specs():
        login = f"edu99{spec['n']:04d}"
        school, _ = School.objects.update_or_create(
            login=login,
            defaults={
                "municipality": municipalities[spec["municipality"]],
                "full_name": spec["full"],
                "short_name": spec["short"],
                "school_type": spec["type"],
                "locality": spec["locality"],
                "address": f"ул. {rng.choice(_STREETS)}, д. {rng.randint(1, 60)}",
                "director": f"{rng.choice(_SURNAMES)} {rng.choice(_INITIALS)}",
                "phone": f"+7 (900) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                "email": f"school{spec['n']}@demo.edu.ru",
            },
        )
        schools[login] = school
    return schools


@transaction.atomic
def seed_users(*, schools: dict[str, School]) -> None:
    User = get_user_model()
    region = Region.objects.get(name=REGION_NAME)
    city = Municipality.objects.get(region=region, name=CITY)
    district = Municipality.objects.get(region=region, name=DISTRICT)
    people = [
        ("admin", "Алексей", "Администраторов", {"role": Role.ADMINISTRATOR}, True),
        ("staff", "Ольга", "Петрова", {"role": Role.STAFF, "municipality": city}, False),
        ("staff2", "Игорь", "Сидоров", {"role": Role.STAFF, "municipality": district}, False),
        ("region", "Наталья", "Орлова", {"role": Role.STAFF, "region": region}, False),
        (
            "coordinator",
            "Марина",
            "Ковалёва",
            {"role": Role.COORDINATOR, "school": schools["edu990001"]},
            False,
        ),
        (
            "coordinator2",
            "Сергей",
            "Миронов",
            {"role": Role.COORDINATOR, "school": schools["edu990002"]},
            False,
        ),
        ("observer", "Татьяна", "Белова", {"role": Role.OBSERVER, "municipality": city}, False),
        ("expert", "Виктор", "Зайцев", {"role": Role.EXPERT, "municipality": city}, False),
    ]
    for username, first, last, membership, is_admin in people:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.edu.ru"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = is_admin
        user.is_superuser = is_admin
        user.save()
        Membership.objects.get_or_create(user=user, **membership)


def has_data() -> bool:
    return School.objects.exists()


def seed(*, rng: random.Random, context: dict, stdout=None) -> str:
    schools = seed_territory(rng=rng)
    seed_users(schools=schools)
    context["schools"] = schools
    return f"ОО: {len(schools)}, пользователи: admin, staff, staff2, region, coordinator, coordinator2, observer, expert"
