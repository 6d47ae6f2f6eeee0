"""U3poly and Gnormed.poly against PerFit's published formulas, worked out by hand.

The table (4 pupils × 3 tasks scored 0–2, so PerFit's Ncat = 3) is chosen so that every
step probability is 1/4, 1/2 or 3/4 and every logit is −L, 0 or L with L = ln 3:

    pupil   task1 task2 task3   total
    P1        2     0     2       4
    P2        2     0     1       3
    P3        0     1     1       2
    P4        2     2     0       4

Step probabilities P(X_j ≥ m) (PerFit: colMeans(matrix >= m)):
    task1: 3/4, 3/4  → logits  L,  L
    task2: 2/4, 1/4  → logits  0, −L
    task3: 3/4, 1/4  → logits  L, −L
"""

import itertools

import numpy as np
import pytest

from results.objectivity.person_fit import (
    gnormed_poly,
    guttman_errors_poly,
    step_probabilities,
    u3poly,
)

TABLE = np.array([[2, 0, 2], [2, 0, 1], [0, 1, 1], [2, 2, 0]])
MAXIMA = np.array([2, 2, 2])


def test_step_probabilities_are_column_shares_of_each_step():
    probs = step_probabilities(TABLE, MAXIMA)
    assert [p.tolist() for p in probs] == [[0.75, 0.75], [0.5, 0.25], [0.75, 0.25]]


def test_u3poly_by_hand():
    # Cumulative logits per task: task1 (0, L, 2L), task2 (0, 0, −L), task3 (0, L, 0).
    # maxW(t) = sum of the t largest logits of {L, L, L, 0, −L, −L}:
    #   t = 0..6 → 0, L, 2L, 3L, 3L, 2L, L.
    # minW(t) = min over (x1, x2, x3) with Σx = t of the cumulative sums:
    #   t=2: (0,2,0) → −L;  t=3: (0,2,1) → 0;  t=4: (0,2,2) → −L.
    # U3 = (maxW − W)/(maxW − minW):
    #   P1 (2,0,2): W = 2L + 0 + 0 = 2L, t = 4 → (3L − 2L)/(3L + L) = 1/4
    #   P2 (2,0,1): W = 2L + 0 + L = 3L, t = 3 → (3L − 3L)/(3L − 0) = 0
    #   P3 (0,1,1): W = 0 + 0 + L = L,   t = 2 → (2L − L)/(2L + L) = 1/3
    #   P4 (2,2,0): W = 2L − L + 0 = L,  t = 4 → (3L − L)/(4L) = 1/2
    assert u3poly(TABLE, MAXIMA) == pytest.approx([0.25, 0.0, 1 / 3, 0.5])


def test_gnormed_poly_by_hand():
    # Steps sorted by decreasing p (ties in task-then-step order, like R's order()):
    #   (1,1) .75 → 1, (1,2) .75 → 2, (3,1) .75 → 3, (2,1) .5 → 4, (2,2) .25 → 5, (3,2) .25 → 6.
    # Cumulative positions: task1 (0, 1, 3), task2 (0, 4, 9), task3 (0, 3, 9).
    # G = Σ positions of passed steps − t(t+1)/2:
    #   P1: 3 + 0 + 9 − 10 = 2;  P2: 3 + 0 + 3 − 6 = 0;  P3: 0 + 4 + 3 − 3 = 4;  P4: 3 + 9 + 0 − 10 = 2.
    # maxG(t) = max of the cumulative sums with total t, minus t(t+1)/2:
    #   t=2: (0,2,0) → 9 − 3 = 6;  t=3: (0,1,2) → 13 − 6 = 7;  t=4: (0,2,2) → 18 − 10 = 8.
    # Gnormed.poly: 2/8, 0/7, 4/6, 2/8.
    assert guttman_errors_poly(TABLE, MAXIMA).tolist() == [2, 0, 4, 2]
    assert gnormed_poly(TABLE, MAXIMA) == pytest.approx([0.25, 0.0, 2 / 3, 0.25])


def test_guttman_errors_are_pairs_of_failed_easier_and_passed_harder_steps():
    # P1's steps in the sorted order (1,1) (1,2) (3,1) (2,1) (2,2) (3,2) are 1 1 1 0 0 1:
    # the last 1 follows two 0s, so G = 2 (PerFit G() on the ordered ISD matrix).
    ordered = [1, 1, 1, 0, 0, 1]
    pairs = sum(
        1 for a, b in itertools.combinations(range(6), 2) if ordered[a] == 0 and ordered[b] == 1
    )
    assert pairs == guttman_errors_poly(TABLE, MAXIMA)[0] == 2


def test_all_zero_and_full_score_rows_have_no_misfit():
    table = np.vstack([TABLE, [0, 0, 0], [2, 2, 2]])
    # The denominators at t = 0 and t = max are set to 1 (PerFit), so both give 0.
    assert u3poly(table, MAXIMA)[-2:] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert gnormed_poly(table, MAXIMA)[-2:] == pytest.approx([0.0, 0.0], abs=1e-12)


def test_dichotomous_items_give_the_classic_u3():
    # Binary items with p = .8, .6, .4, .2 (5 pupils). Classic U3 for a pupil with S correct:
    # [Σ_{i≤S} logit p_(i) − Σ u_i logit p_i] / [Σ_{i≤S} logit p_(i) − Σ_{i>I−S} logit p_(i)].
    table = np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]])
    p = table.mean(axis=0)
    assert p.tolist() == [0.8, 0.6, 0.6, 0.4]
    logit = np.log(p / (1 - p))
    order = np.sort(logit)[::-1]
    expected = []
    for row in table:
        s = row.sum()
        top, bottom = order[:s].sum(), order[len(order) - s :].sum()
        expected.append(0.0 if s in (0, 4) else (top - row @ logit) / (top - bottom))
    assert u3poly(table, np.ones(4, int)) == pytest.approx(expected)


def _brute_force(table: np.ndarray, maxima: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """U3poly and Gnormed.poly by enumerating every score vector (item-specific maxima)."""
    probs = step_probabilities(table, maxima)
    logits = []
    for p in probs:
        with np.errstate(divide="ignore"):
            lg = np.log(p / (1 - p))
        lg[~np.isfinite(lg)] = 0.0
        logits.append(lg)
    flat_p = np.concatenate(probs)
    positions = np.empty(flat_p.size)
    positions[np.argsort(-flat_p, kind="stable")] = np.arange(1, flat_p.size + 1)
    pos = np.split(positions, np.cumsum([p.size for p in probs])[:-1])

    def weight(vector, values):
        return sum(values[j][: vector[j]].sum() for j in range(len(vector)))

    all_vectors = list(itertools.product(*[range(m + 1) for m in maxima]))
    top = int(maxima.sum())
    min_w = {t: min(weight(v, logits) for v in all_vectors if sum(v) == t) for t in range(top + 1)}
    max_pos = {t: max(weight(v, pos) for v in all_vectors if sum(v) == t) for t in range(top + 1)}
    sorted_logits = np.sort(np.concatenate(logits))[::-1]
    u3, gn = [], []
    for row in table:
        t = int(row.sum())
        max_w = sorted_logits[:t].sum()
        den = 1.0 if t in (0, top) else max_w - min_w[t]
        u3.append((max_w - weight(row, logits)) / den if den else np.nan)
        g = weight(row, pos) - t * (t + 1) / 2
        gmax = 1.0 if t in (0, top) else max_pos[t] - t * (t + 1) / 2
        gn.append(g / gmax if gmax else np.nan)
    return np.array(u3), np.array(gn)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_enumeration_with_unequal_task_maxima(seed):
    rng = np.random.default_rng(seed)
    maxima = np.array([1, 3, 2, 1])
    table = np.column_stack([rng.integers(0, m + 1, 12) for m in maxima])
    u3_brute, gn_brute = _brute_force(table, maxima)
    np.testing.assert_allclose(u3poly(table, maxima), u3_brute, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(gnormed_poly(table, maxima), gn_brute, atol=1e-12, equal_nan=True)


def test_reference_probabilities_come_from_the_region_when_given():
    # A school of two pupils judged against the region's step probabilities, not its own.
    region_probs = step_probabilities(TABLE, MAXIMA)
    school = TABLE[[2, 3]]
    assert u3poly(school, MAXIMA, region_probs) == pytest.approx([1 / 3, 0.5])
    assert gnormed_poly(school, MAXIMA, region_probs) == pytest.approx([2 / 3, 0.25])
