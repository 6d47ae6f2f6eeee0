"""Demo observers, VPR schedule, assignments, refused attempts and acts (seed_demo).

Everything goes through the services, so the demo shows the rules at work: the
assignments are the planner's own proposals, and the refusals in the log are real
attempts that the conflict-of-interest rules stopped.
"""

from __future__ import annotations

import datetime
import random

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from observers.models import Observer, ScheduledSession, Stage, TieKind, ViolationType
from observers.services import ObserversError, registry
from observers.services import acts as act_services
from observers.services import assignments as assignment_services
from observers.services import schedule as schedule_services
from results.fileformats.validation import normalize_class_label
from results.models import Test
from schools.models import Municipality, School, SchoolType

DEMO_EMAIL_DOMAIN = "nabludatel.demo.ru"
CITY = "Городской округ Светлогорск"
DISTRICT = "Заречный муниципальный район"

# (last, first, middle, municipality, status, employer, ties)
# status: "accredited", "expired", "suspended", "trained", "application"
_PEOPLE = [
    (
        "Белова",
        "Татьяна",
        "Ивановна",
        CITY,
        "accredited",
        "Пенсионер, ранее методист ИМЦ",
        [("edu990003", TieKind.RELATIVE_STUDIES, "внук")],
    ),
    (
        "Громов",
        "Павел",
        "Андреевич",
        CITY,
        "accredited",
        "ООО «Светлогорскэнерго», инженер",
        [("edu990001", TieKind.CHILD_STUDIES, "сын, 4 класс")],
    ),
    (
        "Ефимова",
        "Анна",
        "Сергеевна",
        CITY,
        "accredited",
        "СОШ № 5, учитель музыки",
        [("edu990005", TieKind.WORKS, "")],
    ),
    ("Жукова", "Ирина", "Петровна", CITY, "accredited", "Студентка педагогического колледжа", []),
    (
        "Захаров",
        "Олег",
        "Николаевич",
        CITY,
        "accredited",
        "Городская поликлиника, врач",
        [("edu990002", TieKind.RELATIVE_WORKS, "жена — учитель начальных классов")],
    ),
    ("Исаева", "Людмила", "Викторовна", CITY, "expired", "Пенсионер", []),
    ("Карпов", "Дмитрий", "Юрьевич", CITY, "suspended", "ИП Карпов Д. Ю.", []),
    (
        "Лаптева",
        "Светлана",
        "Олеговна",
        CITY,
        "application",
        "Родительский комитет гимназии № 3",
        [],
    ),
    (
        "Макарова",
        "Елена",
        "Владимировна",
        CITY,
        "trained",
        "Городская библиотека, библиотекарь",
        [],
    ),
    ("Никитин", "Артём", "Игоревич", CITY, "accredited", "Молодёжный совет городского округа", []),
    (
        "Орлова",
        "Вера",
        "Михайловна",
        CITY,
        "accredited",
        "МФЦ, специалист",
        [("edu990010", TieKind.CHILD_STUDIES, "дочь")],
    ),
    (
        "Панова",
        "Галина",
        "Фёдоровна",
        CITY,
        "accredited",
        "Пенсионер, ветеран педагогического труда",
        [],
    ),
    (
        "Руденко",
        "Николай",
        "Степанович",
        DISTRICT,
        "accredited",
        "СОШ с. Берёзовка, учитель физкультуры",
        [("edu990101", TieKind.WORKS, "")],
    ),
    (
        "Сафонова",
        "Мария",
        "Алексеевна",
        DISTRICT,
        "accredited",
        "Администрация сельского поселения",
        [],
    ),
    ("Тихонова", "Ольга", "Борисовна", DISTRICT, "accredited", "Фельдшерско-акушерский пункт", []),
]

# Spring VPR days (Tuesdays and Thursdays of the second half of April).
_SPRING_DAYS = [(4, 14), (4, 16), (4, 21), (4, 23)]
_RETURN_COMMENT = "Не указано время окончания наблюдения по факту и не описано нарушение в комментарии. Уточните, пожалуйста."


def _transliterate(text: str) -> str:
    table = str.maketrans(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "abvgdeejzijklmnoprstufhccss_y_eua",
    )
    return text.lower().translate(table).replace("_", "")


def _make_observers(
    *, rng: random.Random, schools: dict[str, School], spring: list[datetime.date]
) -> dict[str, Observer]:
    municipalities = {m.name: m for m in Municipality.objects.filter(name__in=[CITY, DISTRICT])}
    today = timezone.localdate()
    long_term = max(today, spring[-1]) + datetime.timedelta(days=240)
    observers: dict[str, Observer] = {}
    for last, first, middle, muni, status, employer, ties in _PEOPLE:
        observer = registry.save_observer(
            municipality=municipalities[muni],
            data={
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "email": f"{_transliterate(last)}@{DEMO_EMAIL_DOMAIN}",
                "phone": f"+7 (9{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                "employer": employer,
            },
        )
        Observer.objects.filter(pk=observer.pk).update(
            applied_on=spring[0] - datetime.timedelta(days=75)
        )
        if status != "application":
            registry.record_training(
                observer=observer,
                completed_on=spring[0] - datetime.timedelta(days=40),
                certificate_number=f"ОН-{spring[0].year}-{rng.randint(100, 999)}",
            )
        if status in ("accredited", "suspended"):
            registry.accredit(observer=observer, until=long_term, today=min(today, spring[0]))
        if status == "expired":
            # Accredited for last year's autumn only: the spring days fall after it.
            registry.accredit(observer=observer, until=long_term, today=min(today, spring[0]))
            Observer.objects.filter(pk=observer.pk).update(
                accredited_until=spring[0] - datetime.timedelta(days=20)
            )
            observer.refresh_from_db()
        if status == "suspended":
            registry.suspend(observer=observer, reason="не явился на наблюдение без предупреждения")
        for login, kind, note in ties:
            if login in schools:
                registry.declare_tie(observer=observer, school=schools[login], kind=kind, note=note)
        observers[last] = observer
    return observers


def _classes_for(school: School, grade: int) -> list[str]:
    if school.school_type == SchoolType.PRIMARY and grade > 4:
        return []
    letters = "АБ" if school.municipality.name == CITY else "А"
    return [f"{grade}{letter}" for letter in letters]


def _result_classes(tests: list[Test]) -> dict[int, dict[int, list[str]]]:
    """test id → school id → classes found in the stored results (results' demo data), so
    the schedule lists the very classes whose results sign f will compare."""
    try:
        PupilResult = django_apps.get_model("results", "PupilResult")
    except LookupError:
        return {}
    found: dict[int, dict[int, set[str]]] = {}
    rows = (
        PupilResult.objects.filter(test__in=tests)
        .values_list("test_id", "school_id", "class_label")
        .distinct()
    )
    for test_id, school_id, label in rows:
        label = normalize_class_label(label or "")
        if label:
            found.setdefault(test_id, {}).setdefault(school_id, set()).add(label)
    return {
        test_id: {school_id: sorted(labels) for school_id, labels in by_school.items()}
        for test_id, by_school in found.items()
    }


def _make_spring_schedule(
    *, tests: list[Test], schools: dict[str, School], user
) -> list[ScheduledSession]:
    """One spring day per test of a year; the classes that have results, else two per school."""
    from_results = _result_classes(tests)
    sessions = []
    position: dict[int, int] = {}
    for test in tests:
        index = position[test.year] = position.get(test.year, -1) + 1
        month, day_of_month = _SPRING_DAYS[index % len(_SPRING_DAYS)]
        day = datetime.date(test.year, month, day_of_month)
        for school in schools.values():
            if test.pk in from_results:
                labels = from_results[test.pk].get(school.pk, [])
            else:
                labels = _classes_for(school, test.grade)
            for n, label in enumerate(labels):
                start = datetime.time(9 + n, 0)
                try:
                    sessions.append(
                        schedule_services.save_session(
                            user=user,
                            school=school,
                            test=test,
                            class_label=label,
                            date=day,
                            start_time=start,
                            end_time=datetime.time(9 + n, 45),
                        )
                    )
                except ObserversError:
                    continue  # a class label of another grade in the results: not scheduled
    return sessions


def _assign_by_proposals(
    *, sessions: list[ScheduledSession], observers: list[Observer], staff, rng: random.Random
) -> list:
    # Leave some sessions uncovered, as in real life: the coverage page should show gaps.
    chosen = [s for s in sessions if rng.random() < 0.7]
    proposals = assignment_services.propose_observers(
        observers=observers, sessions=chosen, per_session=1
    )
    created = []
    for session in chosen:
        candidates = proposals.get(session.pk) or []
        if not candidates:
            continue
        try:
            created.append(
                assignment_services.create_assignment(
                    observer=candidates[0].observer,
                    session=session,
                    assigned_by=staff,
                    notify=False,
                )
            )
        except ObserversError:
            continue
    return created


def _file_acts(*, assignments: list, staff, rng: random.Random) -> dict[str, int]:
    counts = {"filed": 0, "accepted": 0, "returned": 0, "violations": 0}
    types = list(ViolationType.objects.filter(is_active=True, stage_hint__in=["", Stage.TEST]))
    for assignment in assignments:
        if rng.random() < 0.1:
            continue  # the observer did not file the act: the session stays unobserved
        with_violations = rng.random() < 0.3
        picked = rng.sample(types, k=rng.choice([1, 1, 2])) if with_violations else []
        start = datetime.datetime.combine(assignment.date, assignment.start_time)
        act_services.save_act_draft(
            assignment=assignment,
            draft=act_services.ActDraft(
                observed_from=(start - datetime.timedelta(minutes=10)).time(),
                observed_to=(start + datetime.timedelta(minutes=50)).time(),
                stage=assignment.stage,
                no_violations=not with_violations,
                violation_ids=[v.pk for v in picked],
                comments="Работа проведена в соответствии с порядком."
                if not with_violations
                else "Замечание сделано организатору в аудитории, нарушение устранено.",
            ),
        )
        act = act_services.submit_act(assignment=assignment)
        counts["filed"] += 1
        counts["violations"] += int(with_violations)
        roll = rng.random()
        if roll < 0.6:
            act_services.review_act(act=act, reviewer=staff, decision="accept", notify=False)
            counts["accepted"] += 1
        elif roll < 0.65 and not counts["returned"]:
            act_services.review_act(
                act=act, reviewer=staff, decision="return", comment=_RETURN_COMMENT, notify=False
            )
            counts["returned"] += 1
    return counts


def _refused_attempts(
    *,
    observers: dict[str, Observer],
    sessions: list[ScheduledSession],
    schools: dict[str, School],
    staff,
) -> int:
    """Attempts the rules stop: each lands in the refusals log with its Russian reason."""
    by_school: dict[str, list[ScheduledSession]] = {}
    for session in sessions:
        by_school.setdefault(session.school.login, []).append(session)
    attempts = [
        (observers["Ефимова"], by_school.get("edu990005", [])),  # her workplace
        (observers["Громов"], by_school.get("edu990001", [])),  # his son's school
        (observers["Захаров"], by_school.get("edu990002", [])),  # his wife works there
        (observers["Исаева"], by_school.get("edu990006", [])),  # accreditation expired
        (observers["Карпов"], by_school.get("edu990007", [])),  # suspended
        (observers["Лаптева"], by_school.get("edu990008", [])),  # only an application
    ]
    # Two places at once: Белова is already somewhere at that hour.
    busy = observers["Белова"].assignments.select_related("session").first()
    if busy is not None:
        clash = [
            s
            for s in sessions
            if s.date == busy.date
            and s.start_time == busy.start_time
            and s.school_id != busy.session.school_id
            and s.school.login != "edu990003"
        ]
        attempts.append((observers["Белова"], clash))
    refused = 0
    for observer, candidates in attempts:
        if not candidates:
            continue
        # The checking of works in the afternoon, when the observer is free: the log then
        # shows the one rule at stake rather than a clash of hours as well.
        extra = {}
        if observer.last_name != "Белова":
            extra = {
                "stage": Stage.CHECKING,
                "start_time": datetime.time(15),
                "end_time": datetime.time(17),
            }
        try:
            assignment_services.create_assignment(
                observer=observer, session=candidates[0], assigned_by=staff, notify=False, **extra
            )
        except assignment_services.AssignmentRefused:
            refused += 1
    return refused


def _current_sessions(
    *, test: Test, schools: dict[str, School], observers: dict[str, Observer], staff
) -> tuple[int, int]:
    """Sessions from today on: today's visit for the demo observer, tomorrow's, and a week
    of uncovered ones for the planning page to propose observers for."""
    today = timezone.localdate()
    if today.year != test.year:
        return 0, 0
    plan = [
        (0, "edu990004", "В", datetime.time(10, 0), "Белова"),
        (1, "edu990006", "В", datetime.time(9, 0), "Никитин"),
        (1, "edu990104", "Б", datetime.time(9, 0), "Сафонова"),
    ] + [
        (day, login, "В", datetime.time(9, 0), None)
        for day, login in [
            (3, "edu990008"),
            (3, "edu990009"),
            (3, "edu990011"),
            (4, "edu990012"),
            (4, "edu990013"),
            (5, "edu990014"),
            (5, "edu990102"),
            (6, "edu990015"),
        ]
    ]
    created = assigned = 0
    for offset, login, letter, start, who in plan:
        school = schools.get(login)
        if school is None:
            continue
        day = today + datetime.timedelta(days=offset)
        if day.year != test.year:
            continue
        taken = set(
            ScheduledSession.objects.filter(school=school, test=test).values_list(
                "class_label", flat=True
            )
        )
        label = next(
            f"{test.grade}{x}" for x in letter + "ВГДЕЖИКЛМН" if f"{test.grade}{x}" not in taken
        )
        session = schedule_services.save_session(
            user=staff,
            school=school,
            test=test,
            class_label=label,
            date=day,
            start_time=start,
            end_time=(
                datetime.datetime.combine(day, start) + datetime.timedelta(minutes=45)
            ).time(),
        )
        created += 1
        if who:
            try:
                assignment_services.create_assignment(
                    observer=observers[who], session=session, assigned_by=staff, notify=False
                )
                assigned += 1
            except ObserversError:
                pass
    return created, assigned


def seed(*, rng: random.Random, context: dict, stdout=None) -> str:
    if Observer.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        return "наблюдатели уже есть — пропущено"
    schools: dict[str, School] = context.get("schools") or {
        s.login: s for s in School.objects.all()
    }
    User = get_user_model()
    staff = User.objects.filter(username="staff").first()
    spring_tests = list(Test.objects.filter(session="spring").order_by("-year", "grade", "subject"))
    if not spring_tests:
        return "в каталоге нет работ — график и назначения не созданы"
    year = spring_tests[0].year
    # The latest year's tests, and every test that has results (sign f needs both years).
    with_results = set(_result_classes(spring_tests))
    latest = [t for t in spring_tests if t.year == year][:4]
    tests = sorted(
        {t.pk: t for t in [*latest, *(t for t in spring_tests if t.pk in with_results)]}.values(),
        key=lambda t: (t.year, t.grade, t.subject),
    )
    spring = sorted({datetime.date(t.year, m, d) for t in tests for m, d in _SPRING_DAYS})

    observers = _make_observers(rng=rng, schools=schools, spring=spring)
    demo_user = User.objects.filter(username="observer").first()
    if demo_user is not None and not Observer.objects.filter(user=demo_user).exists():
        registry.link_account(observer=observers["Белова"], user=demo_user)

    sessions = _make_spring_schedule(tests=tests, schools=schools, user=staff)
    assignments = _assign_by_proposals(
        sessions=sessions,
        observers=list(Observer.objects.prefetch_related("ties")),
        staff=staff,
        rng=rng,
    )
    today = timezone.localdate()
    past = [a for a in assignments if a.date <= today]
    counts = _file_acts(assignments=past, staff=staff, rng=rng)
    refused = _refused_attempts(
        observers=observers, sessions=sessions, schools=schools, staff=staff
    )
    upcoming, upcoming_assigned = _current_sessions(
        test=latest[0], schools=schools, observers=observers, staff=staff
    )
    return (
        f"наблюдатели: {len(observers)}, работ в графике: {len(sessions) + upcoming}, "
        f"назначений: {len(assignments) + upcoming_assigned}, актов: {counts['filed']} "
        f"(принято {counts['accepted']}, с нарушениями {counts['violations']}), "
        f"отказов по конфликту интересов: {refused}; наблюдатель «observer» — {observers['Белова'].full_name}"
    )
