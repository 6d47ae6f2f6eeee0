"""Linking responsible parties to known organisations, schools, roles and people.

The wording is classified by :mod:`plans.parties` (pure); here it is matched against
what the municipality knows: the reference list of parties (KnownParty), its schools and
its users (staff and school coordinators, by surname and initials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from plans import parties
from plans.models import KnownParty, PartyKind, Responsible
from schools.models import Membership, Municipality, School
from schools.roles import Role


@dataclass(frozen=True)
class PartyLink:
    kind: str
    role: str = ""
    school: School | None = None
    user: Any = None
    party: KnownParty | None = None


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment on normalised text ("сош № 5" is not in "сош № 51")."""
    if not needle:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


class ResponsibleMatcher:
    """Matches party texts of one municipality; loads its reference data once."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        known = KnownParty.objects.filter(
            Q(municipality=municipality) | Q(municipality__isnull=True)
        )
        spellings = [
            (parties.normalise_party_text(spelling), party)
            for party in known
            for spelling in party.spellings()
        ]
        # Longest spelling first: "ЦРО Братского района" before "ЦРО".
        self._known = sorted((s for s in spellings if s[0]), key=lambda s: -len(s[0]))
        schools = School.objects.filter(municipality=municipality)
        names = [
            (parties.normalise_party_text(name), school)
            for school in schools
            for name in (school.short_name, school.full_name)
            if name
        ]
        self._schools = sorted((n for n in names if n[0]), key=lambda n: -len(n[0]))
        self._people: dict[str, list[Any]] | None = None

    def _people_by_surname(self) -> dict[str, list[Any]]:
        if self._people is None:
            user_ids = Membership.objects.filter(
                Q(role=Role.STAFF, municipality=self.municipality)
                | Q(role=Role.STAFF, region_id=self.municipality.region_id)
                | Q(role=Role.COORDINATOR, school__municipality=self.municipality)
            ).values("user_id")
            people: dict[str, list[Any]] = {}
            for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
                surname = parties.normalise_party_text(user.last_name)
                if surname:
                    people.setdefault(surname, []).append(user)
            self._people = people
        return self._people

    def _user_for(self, surname: str, initials: str) -> Any:
        candidates = self._people_by_surname().get(parties.normalise_party_text(surname), [])
        first_initial = initials[:1].lower().replace("ё", "е")
        matching = [
            u
            for u in candidates
            if not u.first_name or u.first_name[:1].lower().replace("ё", "е") == first_initial
        ]
        return matching[0] if len(matching) == 1 else None  # two namesakes: don't guess

    def match(self, text: str) -> PartyLink:
        normalised = parties.normalise_party_text(text)
        for spelling, party in self._known:
            if normalised == spelling or _contains(normalised, spelling):
                return PartyLink(kind=party.kind, role=party.role, party=party)
        guess = parties.classify_party(text)
        if guess.kind == parties.PERSON:
            return PartyLink(
                kind=PartyKind.PERSON,
                role=guess.role,
                user=self._user_for(guess.surname, guess.initials),
            )
        if guess.kind in (parties.UNKNOWN, parties.ORGANISATION):
            for name, school in self._schools:
                if normalised == name or _contains(normalised, name):
                    return PartyLink(kind=PartyKind.SCHOOL, school=school)
        return PartyLink(kind=guess.kind, role=guess.role)

    def build(self, *, item: Any, texts: list[str]) -> list[Responsible]:
        """Unsaved Responsible rows for an item, in the written order."""
        rows = []
        for position, text in enumerate(t.strip() for t in texts):
            if not text:
                continue
            link = self.match(text)
            rows.append(
                Responsible(
                    item=item,
                    position=position,
                    text=text[:500],
                    kind=link.kind,
                    role=link.role,
                    school=link.school,
                    user=link.user,
                    party=link.party,
                )
            )
        return rows
