"""A sign of every school of a test as columns, its school's explanation built on demand.

The vectorised signs (a, b, c, g) compute every number for all schools as arrays and then
build one ``SignResult`` per school: a dict of evidence and a sentence in Russian. The
decision needs only four numbers per school (applicable, effect, p, material), and a
person reads the evidence of one school at a time, so ``SignTable`` keeps the columns and
builds a school's ``SignResult`` only when asked (``result``). ``results`` gives every
school's, exactly what the eager functions return (they are defined through it).

A table survives a JSON round trip (``as_json`` / ``from_json``): the service stores it
with the test's snapshot and the school card rebuilds its school's evidence from it.
Pure Python and numpy, no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .datatypes import REASON_TOO_FEW, DecisionParams, SignResult, strength_from_p

#: Builder of one school's SignResult: (its row of the columns, shared, params).
Builder = Callable[[dict[str, Any], Any, DecisionParams], SignResult]
_BUILDERS: dict[str, Builder] = {}


def register_builder(name: str) -> Callable[[Builder], Builder]:
    """Name a per-school builder so a stored table can find it again."""

    def register(function: Builder) -> Builder:
        _BUILDERS[name] = function
        return function

    return register


@dataclass(frozen=True)
class SignNumbers:
    """What the decision reads of a sign, per school (lists of equal length)."""

    applicable: list[bool]
    effect: list[float | None]
    p_value: list[float | None]
    score: list[float | None]
    material: list[bool]


@dataclass(frozen=True)
class SignTable:
    """One sign for every school of a test.

    sign: the letter. builder: the registered name of the per-school builder.
    columns: per-school values (lists of length n_schools; plain JSON values).
    shared: JSON-able values common to all schools (the builder's second argument).
    keys: which columns hold n (pupils), the p-value, the effect and the material flag.
    The sign is applicable to a school with n ≥ params.min_pupils; otherwise its reason
    is «недостаточно данных».
    """

    sign: str
    builder: str
    columns: dict[str, list[Any]]
    shared: Any
    keys: dict[str, str]

    @property
    def n_schools(self) -> int:
        return len(self.columns[self.keys["n"]])

    def result(self, school: int, params: DecisionParams) -> SignResult:
        row = {name: values[school] for name, values in self.columns.items()}
        return _BUILDERS[self.builder](row, self.shared, params)

    def results(self, params: DecisionParams) -> list[SignResult]:
        builder = _BUILDERS[self.builder]
        names = list(self.columns)
        # Rows by zip: one tuple per school instead of a dict lookup per value.
        return [
            builder(dict(zip(names, values, strict=True)), self.shared, params)
            for values in zip(*self.columns.values(), strict=True)
        ]

    def numbers(self, params: DecisionParams) -> SignNumbers:
        n = np.asarray(self.columns[self.keys["n"]])
        applicable = n >= params.min_pupils
        p = self.columns[self.keys["p"]]
        # The same function as the builders use, so the numbers are equal to the last bit.
        score = [strength_from_p(v, params.strength_cap) for v in p]
        effect = self.columns[self.keys["effect"]]
        material = self.columns[self.keys["material"]]
        ok = applicable.tolist()
        return SignNumbers(
            applicable=ok,
            effect=[e if a else None for e, a in zip(effect, ok, strict=True)],
            p_value=[v if a else None for v, a in zip(p, ok, strict=True)],
            score=[v if a else None for v, a in zip(score, ok, strict=True)],
            material=[bool(m) and a for m, a in zip(material, ok, strict=True)],
        )

    def light_results(self, params: DecisionParams) -> list[SignResult]:
        """Each school's SignResult without its evidence beyond ``effect_is_material``:
        what the year's decision reads (cheap: no sentences, no per-school dicts)."""
        numbers = self.numbers(params)
        return [
            SignResult(self.sign, True, None, e, p, s, {"effect_is_material": m})
            if a
            else SignResult(self.sign, False, REASON_TOO_FEW, None, None, None, {})
            for a, e, p, s, m in zip(
                numbers.applicable,
                numbers.effect,
                numbers.p_value,
                numbers.score,
                numbers.material,
                strict=True,
            )
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "sign": self.sign,
            "builder": self.builder,
            "columns": self.columns,
            "shared": self.shared,
            "keys": self.keys,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignTable:
        if data.get("builder") not in _BUILDERS:
            raise ValueError(f"unknown sign table builder {data.get('builder')!r}")
        return cls(data["sign"], data["builder"], data["columns"], data["shared"], data["keys"])
