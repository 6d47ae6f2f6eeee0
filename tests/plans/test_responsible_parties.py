"""Responsible parties: recognised by wording, linked to known bodies, schools and people."""

import pytest

from plans.models import KnownParty, PartyKind, PartyRole
from plans.parties import classify_party
from plans.services.responsibles import ResponsibleMatcher
from tests import factories


@pytest.mark.parametrize(
    ("text", "kind", "role"),
    [
        ("Руководители ОО", "role", "school_heads"),
        ("руководители ОУ", "role", "school_heads"),
        ("ОО", "organisation", "schools"),
        ("Школьные координаторы", "role", "school_coordinators"),
        ("организаторы ВПР", "role", "school_coordinators"),
        ("муниципальный координатор проведения процедуры ВПР", "role", "municipal_coordinator"),
        ("Руководители ГМО", "role", "subject_associations"),
        ("Кураторы РМО", "role", "subject_associations"),
        ("общественные наблюдатели", "role", "observers"),
        ("специалисты УО", "role", "department"),
        ("Начальник УОГБ", "role", "department"),
        (
            "Отдел образования Администрации Краснохолмского муниципального округа",
            "organisation",
            "department",
        ),
        ("ОЦПРМСО", "organisation", "methodical_centre"),
        ("методический отдел МБУ ДО «ЦДО»", "organisation", "methodical_centre"),
        ("ИМЦ", "organisation", "methodical_centre"),
        ("Инженеры – программисты ЦРО", "role", "methodical_centre"),
        ("И.В. Слынько", "person", ""),
        ("И.В.Шадеркова", "person", ""),
        ("Безделёва М.А., зам. дир. ЦРО", "person", "methodical_centre"),
        ("Дед Мороз", "unknown", ""),
    ],
)
def test_wording_is_classified(text, kind, role):
    guess = classify_party(text)
    assert (guess.kind, guess.role) == (kind, role)


@pytest.mark.django_db
def test_a_known_party_is_matched_by_any_of_its_spellings(municipality):
    party = KnownParty.objects.create(
        municipality=municipality,
        name="Информационно-методический центр",
        aliases="ИМЦ\nМКУ «ИМЦ»",
        role=PartyRole.METHODICAL_CENTRE,
    )
    matcher = ResponsibleMatcher(municipality)
    for text in ("ИМЦ", "МКУ ИМЦ", "информационно-методический центр"):
        assert matcher.match(text).party == party, text
    assert matcher.match("ЦРО").party is None


@pytest.mark.django_db
def test_a_person_is_linked_to_their_account_by_surname_and_initial(municipality, school):
    user = factories.make_coordinator(school=school)
    user.first_name, user.last_name = "Юлия", "Беляева"
    user.save()
    matcher = ResponsibleMatcher(municipality)
    link = matcher.match("Ю.И. Беляева")
    assert (link.kind, link.user) == (PartyKind.PERSON, user)
    assert ResponsibleMatcher(municipality).match("А.И. Беляева").user is None


@pytest.mark.django_db
def test_namesakes_are_not_guessed(municipality):
    for first in ("Юлия", "Юрий"):
        user = factories.make_staff(municipality=municipality)
        user.first_name, user.last_name = first, "Беляев"
        user.save()
    link = ResponsibleMatcher(municipality).match("Ю.И. Беляев")
    assert link.kind == PartyKind.PERSON and link.user is None


@pytest.mark.django_db
def test_people_of_another_municipality_are_not_linked(municipality, other_municipality):
    user = factories.make_staff(municipality=other_municipality)
    user.first_name, user.last_name = "Ирина", "Слынько"
    user.save()
    assert ResponsibleMatcher(municipality).match("И.В. Слынько").user is None
