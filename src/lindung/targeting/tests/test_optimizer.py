"""The targeting optimiser against brute force, plus its budgets, explanations and determinism."""

import itertools
import random

import polars as pl
import pytest

from lindung.targeting.optimizer import Infeasible, Quota, Solution, Source, optimize

KECAMATAN = ["Praya", "Jonggat", "Batukliang"]
DESA = {
    "Praya": ["Leneng", "Gerantung"],
    "Jonggat": ["Ubung", "Puyung"],
    "Batukliang": ["Aik Darek"],
}


def _workers(rows: list[tuple[int, int, str, list[str]]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "worker_id": pl.Int64,
            "priority": pl.Int64,
            "kecamatan": pl.String,
            "eligible": pl.List(pl.String),
        },
        orient="row",
    )


def _workers_in_desa(
    rows: list[tuple[int, int, str, list[str]]], desa: dict[int, str | None]
) -> pl.DataFrame:
    return _workers(rows).with_columns(
        pl.col("worker_id").replace_strict(desa, return_dtype=pl.String).alias("desa")
    )


def _covered(counts: dict[str, int], per_desa: dict[str, int], quota: Quota) -> int:
    return counts[quota.kecamatan] if quota.desa is None else per_desa.get(quota.desa, 0)


def _brute_force(
    rows: list[tuple[int, int, str, list[str]]],
    sources: list[Source],
    quotas: list[Quota],
    desa: dict[int, str | None] | None = None,
) -> tuple[int, int] | None:
    """Best (total priority, covered count) over every worker -> none or an eligible source."""
    desa = desa or {}
    options = [[None, *eligible] for _, _, _, eligible in rows]
    best: tuple[int, int] | None = None
    for choice in itertools.product(*options):
        used = {s.code: 0 for s in sources}
        per_kecamatan = dict.fromkeys(KECAMATAN, 0)
        per_desa: dict[str, int] = {}
        for code, (worker_id, _, kecamatan, _) in zip(choice, rows, strict=True):
            if code is not None:
                used[code] += 1
                per_kecamatan[kecamatan] += 1
                if (name := desa.get(worker_id)) is not None:
                    per_desa[name] = per_desa.get(name, 0) + 1
        if any(used[s.code] > s.capacity for s in sources):
            continue
        if any(
            _covered(per_kecamatan, per_desa, q) < q.minimum
            or (q.maximum is not None and _covered(per_kecamatan, per_desa, q) > q.maximum)
            for q in quotas
        ):
            continue
        value = (
            sum(p for code, (_, p, _, _) in zip(choice, rows, strict=True) if code is not None),
            sum(code is not None for code in choice),
        )
        best = value if best is None else max(best, value)
    return best


def _random_instance(
    rng: random.Random,
) -> tuple[list[tuple[int, int, str, list[str]]], list[Source], list[Quota]]:
    codes = ["apbd", "dbhcht", "csr"][: rng.randint(1, 3)]
    sources = [
        Source(code, budget=rng.randint(0, 4) * 1000 + rng.randint(0, 999), cost=1000)
        for code in codes
    ]
    rows = [
        (
            rng.randint(1, 10**6),
            rng.choice([0, 1, 2, 3, 5, 8, rng.randint(0, 100)]),
            rng.choice(KECAMATAN),
            [c for c in codes if rng.random() < 0.6],
        )
        for _ in range(rng.randint(1, 8))
    ]
    rows = list({row[0]: row for row in rows}.values())
    quotas = []
    for kecamatan in KECAMATAN:
        if rng.random() < 0.5:
            minimum = rng.choice([0, 0, 1, 2])
            maximum = rng.choice([None, minimum, minimum + 1, minimum + 2])
            quotas.append(Quota(kecamatan, minimum, maximum))
    return rows, sources, quotas


def _random_nested_instance(
    rng: random.Random,
) -> tuple[list[tuple[int, int, str, list[str]]], dict[int, str | None], list[Source], list[Quota]]:
    """Like ``_random_instance``, with desa and quotas on desa and kecamatan at once.

    Minimums stay within the number of workers (eligible or not) of the place, so that most
    instances are feasible and the others fail in the flow as well as in the counting.
    """
    rows, sources, _ = _random_instance(rng)
    desa = {row[0]: rng.choice([*DESA[row[2]], None]) for row in rows}
    quotas = []
    for kecamatan, names in DESA.items():
        if rng.random() < 0.5:
            minimum = rng.randint(0, sum(row[2] == kecamatan for row in rows)) // 2
            maximum = rng.choice([None, minimum, minimum + 1, minimum + 2])
            quotas.append(Quota(kecamatan, minimum, maximum))
        for name in names:
            if rng.random() < 0.6:
                minimum = rng.randint(0, list(desa.values()).count(name))
                maximum = rng.choice([None, 0, minimum, minimum + 1])
                quotas.append(Quota(kecamatan, minimum, maximum, desa=name))
    rng.shuffle(quotas)
    return rows, desa, sources, quotas


def _check_constraints(
    solution: Solution,
    rows: list[tuple[int, int, str, list[str]]],
    sources: list[Source],
    quotas: list[Quota],
    desa: dict[int, str | None] | None = None,
) -> None:
    by_id = {row[0]: row for row in rows}
    assigned = solution.assignment
    assert assigned["worker_id"].n_unique() == assigned.height
    for worker_id, code in assigned.select("worker_id", "source").iter_rows():
        assert code in by_id[worker_id][3]
    counts = dict(assigned.group_by("source").len().iter_rows())
    for s in sources:
        assert counts.get(s.code, 0) <= s.budget // s.cost
    per_kecamatan = dict.fromkeys(KECAMATAN, 0)
    per_desa: dict[str, int] = {}
    for worker_id in assigned["worker_id"].to_list():
        per_kecamatan[by_id[worker_id][2]] += 1
        if desa and (name := desa[worker_id]) is not None:
            per_desa[name] = per_desa.get(name, 0) + 1
    for q in quotas:
        assert _covered(per_kecamatan, per_desa, q) >= q.minimum
        assert q.maximum is None or _covered(per_kecamatan, per_desa, q) <= q.maximum
    usage = {row["source"]: row for row in solution.per_source.iter_rows(named=True)}
    for s in sources:
        assert usage[s.code]["workers"] == counts.get(s.code, 0)
        assert usage[s.code]["cost"] == counts.get(s.code, 0) * s.cost


@pytest.mark.parametrize("seed", range(250))
def test_it_matches_brute_force_on_small_instances(seed: int) -> None:
    rows, sources, quotas = _random_instance(random.Random(seed))
    expected = _brute_force(rows, sources, quotas)
    if expected is None:
        with pytest.raises(Infeasible):
            optimize(_workers(rows), sources, quotas)
        return
    solution = optimize(_workers(rows), sources, quotas)
    assert (solution.objective, solution.assignment.height) == expected
    assert solution.optimal
    assert solution.gap == 0
    _check_constraints(solution, rows, sources, quotas)
    explained = solution.explanations()
    assert sorted(explained["worker_id"].to_list()) == sorted(row[0] for row in rows)
    assert explained["message"].null_count() == 0


@pytest.mark.parametrize("seed", range(300))
def test_it_matches_brute_force_with_desa_and_kecamatan_quotas(seed: int) -> None:
    rows, desa, sources, quotas = _random_nested_instance(random.Random(seed))
    expected = _brute_force(rows, sources, quotas, desa)
    if expected is None:
        with pytest.raises(Infeasible) as raised:
            optimize(_workers_in_desa(rows, desa), sources, quotas)
        named_desa = raised.value.details.get("desa", [])
        named_kecamatan = raised.value.details["kecamatan"]
        assert isinstance(named_desa, list) and isinstance(named_kecamatan, list)
        quota_desa = {q.desa: q.kecamatan for q in quotas if q.desa is not None}
        assert {quota_desa[d] for d in named_desa} <= set(named_kecamatan)
        return
    solution = optimize(_workers_in_desa(rows, desa), sources, quotas)
    assert (solution.objective, solution.assignment.height) == expected
    _check_constraints(solution, rows, sources, quotas, desa)
    reasons = dict(solution.explanations().select("worker_id", "reason").iter_rows())
    full = {
        q.desa
        for q in quotas
        if q.desa is not None
        and q.maximum is not None
        and sum(desa[w] == q.desa for w in solution.assignment["worker_id"]) >= q.maximum
    }
    for worker_id, reason in reasons.items():
        if reason == "desa_maximum":
            assert desa[worker_id] in full


def test_it_ranks_workers_within_each_source_by_priority() -> None:
    rows = [(1, 5, "Praya", ["apbd"]), (2, 9, "Praya", ["apbd"]), (3, 7, "Jonggat", ["apbd"])]
    solution = optimize(_workers(rows), [Source("apbd", budget=3000, cost=1000)])
    assert solution.assignment.rows() == [(2, "apbd", 1), (3, "apbd", 2), (1, "apbd", 3)]


def test_it_respects_a_budget_that_pays_for_a_fraction_of_a_worker() -> None:
    rows = [(i, 10 - i, "Praya", ["apbd"]) for i in range(5)]
    solution = optimize(_workers(rows), [Source("apbd", budget=2999, cost=1000)])
    assert solution.assignment["worker_id"].to_list() == [0, 1]
    assert solution.per_source.row(0, named=True)["remaining"] == 999


def test_it_moves_workers_between_sources_to_fit_a_kecamatan_maximum() -> None:
    # Greedy by priority takes worker 1 (10) and then cannot use the dbhcht slot; 2 + 3 gives 17.
    rows = [
        (1, 10, "Praya", ["apbd"]),
        (2, 9, "Jonggat", ["apbd"]),
        (3, 8, "Praya", ["dbhcht"]),
    ]
    sources = [Source("apbd", 1000, 1000), Source("dbhcht", 1000, 1000)]
    solution = optimize(_workers(rows), sources, [Quota("Praya", maximum=1)])
    assert solution.objective == 17
    assert sorted(solution.assignment["worker_id"].to_list()) == [2, 3]


def test_it_explains_each_decision() -> None:
    rows = [
        (1, 50, "Praya", ["apbd"]),
        (2, 40, "Praya", ["apbd"]),
        (3, 90, "Jonggat", []),
        (4, 30, "Jonggat", ["apbd", "dbhcht"]),
        (5, 20, "Jonggat", ["dbhcht"]),
        (6, 10, "Jonggat", ["dbhcht"]),
    ]
    sources = [Source("apbd", 2000, 1000), Source("dbhcht", 1000, 1000)]
    solution = optimize(_workers(rows), sources, [Quota("Praya", maximum=1)])
    messages = dict(solution.explanations().select("worker_id", "message").iter_rows())
    assert messages == {
        1: "selected: source apbd, rank 1",
        2: "kecamatan maximum reached",
        3: "not eligible for any source",
        4: "selected: source apbd, rank 2",
        5: "selected: source dbhcht, rank 1",
        6: "budget exhausted at priority 20",
    }
    assert solution.explain(6) == "budget exhausted at priority 20"
    reasons = dict(solution.explanations().select("worker_id", "reason").iter_rows())
    assert reasons[6] == "budget_exhausted"


def test_it_names_the_kecamatan_without_enough_eligible_workers() -> None:
    rows = [(1, 5, "Praya", ["apbd"]), (2, 5, "Jonggat", [])]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers(rows), [Source("apbd", 5000, 1000)], [Quota("Jonggat", minimum=1)])
    assert "Jonggat" in raised.value.message
    assert raised.value.details["kecamatan"] == ["Jonggat"]


def test_it_names_the_kecamatan_the_sources_cannot_reach() -> None:
    # Both Praya workers depend on dbhcht, which pays for one worker only.
    rows = [
        (1, 5, "Praya", ["dbhcht"]),
        (2, 5, "Praya", ["dbhcht"]),
        (3, 5, "Jonggat", ["apbd"]),
    ]
    sources = [Source("apbd", 5000, 1000), Source("dbhcht", 1000, 1000)]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers(rows), sources, [Quota("Praya", minimum=2)])
    assert raised.value.details["kecamatan"] == ["Praya"]


def test_it_reports_minimums_above_total_capacity() -> None:
    rows = [(i, 1, k, ["apbd"]) for i, k in enumerate(KECAMATAN)]
    quotas = [Quota(k, minimum=1) for k in KECAMATAN]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers(rows), [Source("apbd", 2000, 1000)], quotas)
    assert raised.value.details["reason"] == "minimums_exceed_capacity"


def test_it_gives_the_same_assignment_for_the_same_input() -> None:
    rng = random.Random(7)
    rows = [
        (i, rng.randint(0, 3), rng.choice(KECAMATAN), rng.choice([["apbd"], ["apbd", "dbhcht"]]))
        for i in range(300)
    ]
    sources = [Source("apbd", 90_000, 1000), Source("dbhcht", 40_000, 1000)]
    quotas = [Quota("Praya", minimum=20, maximum=60)]
    first = optimize(_workers(rows), sources, quotas)
    second = optimize(_workers(list(reversed(rows))), sources, quotas)
    assert first.assignment.equals(second.assignment)
    _check_constraints(first, rows, sources, quotas)


def test_it_explains_a_full_desa() -> None:
    rows = [
        (1, 50, "Praya", ["apbd"]),
        (2, 40, "Praya", ["apbd"]),
        (3, 30, "Praya", ["apbd"]),
        (4, 20, "Jonggat", ["apbd"]),
    ]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: "Gerantung", 4: "Ubung"}
    quotas = [Quota("Praya", maximum=1, desa="Leneng")]
    solution = optimize(_workers_in_desa(rows, desa), [Source("apbd", 3000, 1000)], quotas)
    reasons = dict(solution.explanations().select("worker_id", "reason").iter_rows())
    assert reasons == {1: "selected", 2: "desa_maximum", 3: "selected", 4: "selected"}
    assert solution.explain(2) == "desa maximum reached"


def test_it_prefers_the_kecamatan_maximum_when_explaining() -> None:
    rows = [(1, 50, "Praya", ["apbd"]), (2, 40, "Praya", ["apbd"]), (3, 30, "Praya", ["apbd"])]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: "Gerantung"}
    quotas = [Quota("Praya", maximum=2), Quota("Praya", maximum=1, desa="Leneng")]
    solution = optimize(_workers_in_desa(rows, desa), [Source("apbd", 3000, 1000)], quotas)
    assert sorted(solution.assignment["worker_id"].to_list()) == [1, 3]
    assert solution.explain(2) == "kecamatan maximum reached"


def test_it_meets_a_desa_minimum_inside_a_kecamatan_maximum() -> None:
    # Without the desa minimum the two best Praya workers (both in Leneng) would be chosen.
    rows = [(1, 50, "Praya", ["apbd"]), (2, 40, "Praya", ["apbd"]), (3, 1, "Praya", ["apbd"])]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: "Gerantung"}
    quotas = [Quota("Praya", maximum=2), Quota("Praya", minimum=1, desa="Gerantung")]
    solution = optimize(_workers_in_desa(rows, desa), [Source("apbd", 3000, 1000)], quotas)
    assert sorted(solution.assignment["worker_id"].to_list()) == [1, 3]
    assert solution.explain(2) == "kecamatan maximum reached"


def test_it_names_the_desa_without_enough_eligible_workers() -> None:
    rows = [(1, 5, "Praya", ["apbd"]), (2, 5, "Praya", []), (3, 5, "Praya", ["apbd"])]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: "Gerantung"}
    quotas = [Quota("Praya", minimum=2, desa="Leneng")]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, desa), [Source("apbd", 5000, 1000)], quotas)
    assert raised.value.details["reason"] == "not_enough_eligible"
    assert raised.value.details["desa"] == ["Leneng"]
    assert raised.value.details["kecamatan"] == ["Praya"]
    assert "desa Leneng (kecamatan Praya)" in raised.value.message


def test_it_names_the_desa_whose_minimum_is_above_its_maximum() -> None:
    rows = [(1, 5, "Praya", ["apbd"])]
    quotas = [Quota("Praya", minimum=2, maximum=1, desa="Leneng")]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, {1: "Leneng"}), [Source("apbd", 5000, 1000)], quotas)
    assert raised.value.details == {
        "reason": "minimum_above_maximum",
        "kecamatan": ["Praya"],
        "desa": ["Leneng"],
    }


def test_it_names_the_desa_whose_minimums_exceed_their_kecamatan_maximum() -> None:
    rows = [(1, 5, "Praya", ["apbd"]), (2, 5, "Praya", ["apbd"]), (3, 5, "Jonggat", ["apbd"])]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Gerantung", 3: "Ubung"}
    quotas = [
        Quota("Praya", maximum=1),
        Quota("Praya", minimum=1, desa="Leneng"),
        Quota("Praya", minimum=1, desa="Gerantung"),
        Quota("Jonggat", minimum=1, desa="Ubung"),
    ]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, desa), [Source("apbd", 5000, 1000)], quotas)
    assert raised.value.details["reason"] == "desa_minimums_above_maximum"
    assert raised.value.details["kecamatan"] == ["Praya"]
    assert raised.value.details["desa"] == ["Gerantung", "Leneng"]


def test_it_names_the_desa_whose_maximums_keep_a_kecamatan_minimum_out_of_reach() -> None:
    rows = [(1, 5, "Praya", ["apbd"]), (2, 5, "Praya", ["apbd"]), (3, 5, "Praya", ["apbd"])]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: None}
    quotas = [Quota("Praya", minimum=3), Quota("Praya", maximum=1, desa="Leneng")]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, desa), [Source("apbd", 5000, 1000)], quotas)
    assert raised.value.details["reason"] == "desa_maximums_below_minimum"
    assert raised.value.details["desa"] == ["Leneng"]
    assert raised.value.details["counts"] == {"Praya": {"minimum": 3, "reachable": 2}}


def test_it_names_the_desa_the_sources_cannot_reach() -> None:
    # Both Leneng workers depend on dbhcht, which pays for one worker only.
    rows = [
        (1, 5, "Praya", ["dbhcht"]),
        (2, 5, "Praya", ["dbhcht"]),
        (3, 5, "Praya", ["apbd"]),
        (4, 5, "Jonggat", ["apbd"]),
    ]
    desa: dict[int, str | None] = {1: "Leneng", 2: "Leneng", 3: "Gerantung", 4: "Ubung"}
    sources = [Source("apbd", 5000, 1000), Source("dbhcht", 1000, 1000)]
    quotas = [Quota("Praya", minimum=2), Quota("Praya", minimum=2, desa="Leneng")]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, desa), sources, quotas)
    assert raised.value.details["reason"] == "sources_cannot_reach"
    assert raised.value.details["desa"] == ["Leneng"]
    assert raised.value.details["kecamatan"] == ["Praya"]
    assert raised.value.details["desa_counts"] == {"Leneng": {"minimum": 2, "reachable": 1}}


def test_it_counts_desa_minimums_against_the_budgets() -> None:
    rows = [(i, 1, "Praya", ["apbd"]) for i in range(4)]
    desa: dict[int, str | None] = {0: "Leneng", 1: "Leneng", 2: "Gerantung", 3: "Gerantung"}
    quotas = [
        Quota("Praya", minimum=1),
        Quota("Praya", minimum=2, desa="Leneng"),
        Quota("Praya", minimum=1, desa="Gerantung"),
    ]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers_in_desa(rows, desa), [Source("apbd", 2000, 1000)], quotas)
    assert raised.value.details["reason"] == "minimums_exceed_capacity"
    assert raised.value.details["minimums"] == 3
    assert raised.value.details["desa"] == ["Gerantung", "Leneng"]


def test_it_leaves_desa_out_of_the_details_of_kecamatan_quotas() -> None:
    rows: list[tuple[int, int, str, list[str]]] = [(1, 5, "Praya", [])]
    with pytest.raises(Infeasible) as raised:
        optimize(_workers(rows), [Source("apbd", 5000, 1000)], [Quota("Praya", minimum=1)])
    assert "desa" not in raised.value.details


def test_it_needs_the_desa_column_for_desa_quotas() -> None:
    rows = [(1, 5, "Praya", ["apbd"])]
    with pytest.raises(ValueError, match="desa"):
        optimize(_workers(rows), [Source("apbd", 5000, 1000)], [Quota("Praya", desa="Leneng")])


def test_it_rejects_a_worker_whose_desa_lies_in_another_kecamatan() -> None:
    rows = [(1, 5, "Jonggat", ["apbd"])]
    with pytest.raises(ValueError, match="Leneng"):
        optimize(
            _workers_in_desa(rows, {1: "Leneng"}),
            [Source("apbd", 5000, 1000)],
            [Quota("Praya", desa="Leneng")],
        )


def test_it_rejects_two_quotas_for_one_desa() -> None:
    quotas = [Quota("Praya", minimum=1, desa="Leneng"), Quota("Praya", maximum=3, desa="Leneng")]
    with pytest.raises(ValueError, match="one quota per desa"):
        optimize(_workers_in_desa([(1, 5, "Praya", [])], {1: "Leneng"}), [], quotas)


# Two prices per source: PP 50/2025 halves JKK + JKM for transport workers paid by a source that
# is not APBN/APBD, so such a source pays less for them (e.g. 100.800 instead of 126.000).


def _workers_by_sector(
    rows: list[tuple[int, int, str, list[str]]],
    desa: dict[int, str | None],
    transport: dict[int, bool],
) -> pl.DataFrame:
    return _workers_in_desa(rows, desa).with_columns(
        pl.col("worker_id").replace_strict(transport, return_dtype=pl.Boolean).alias("transport")
    )


def _price(source: Source, transport: bool) -> int:
    return source.transport_cost if transport and source.transport_cost else source.cost


def _brute_force_priced(
    rows: list[tuple[int, int, str, list[str]]],
    sources: list[Source],
    quotas: list[Quota],
    desa: dict[int, str | None],
    transport: dict[int, bool],
) -> tuple[int, int] | None:
    """Best (total priority, covered count) where each worker costs its sector's price."""
    options = [[None, *eligible] for _, _, _, eligible in rows]
    by_code = {s.code: s for s in sources}
    best: tuple[int, int] | None = None
    for choice in itertools.product(*options):
        spent = {s.code: 0 for s in sources}
        per_kecamatan = dict.fromkeys(KECAMATAN, 0)
        per_desa: dict[str, int] = {}
        for code, (worker_id, _, kecamatan, _) in zip(choice, rows, strict=True):
            if code is not None:
                spent[code] += _price(by_code[code], transport[worker_id])
                per_kecamatan[kecamatan] += 1
                if (name := desa.get(worker_id)) is not None:
                    per_desa[name] = per_desa.get(name, 0) + 1
        if any(spent[s.code] > s.budget for s in sources):
            continue
        if any(
            _covered(per_kecamatan, per_desa, q) < q.minimum
            or (q.maximum is not None and _covered(per_kecamatan, per_desa, q) > q.maximum)
            for q in quotas
        ):
            continue
        value = (
            sum(p for code, (_, p, _, _) in zip(choice, rows, strict=True) if code is not None),
            sum(code is not None for code in choice),
        )
        best = value if best is None else max(best, value)
    return best


def _random_priced_instance(
    rng: random.Random, two_price_sources: int
) -> tuple[
    list[tuple[int, int, str, list[str]]],
    dict[int, str | None],
    dict[int, bool],
    list[Source],
    list[Quota],
]:
    """A nested instance whose first ``two_price_sources`` sources charge transport workers
    another price (lower, or now and then equal or higher), the others one price."""
    rows, desa, sources, quotas = _random_nested_instance(rng)
    codes = ["apbd", "dbhcht", "csr"][: max(len(sources), two_price_sources)]
    sources = []
    for i, code in enumerate(codes):
        cost = rng.choice([5, 6, 10])
        transport_cost = rng.choice([cost * 4 // 5, cost // 2, cost - 1, cost, cost + 2])
        sources.append(
            Source(
                code,
                budget=rng.randint(0, 4 * cost),
                cost=cost,
                transport_cost=transport_cost if i < two_price_sources else None,
            )
        )
    rows = [
        (worker_id, priority, kecamatan, [c for c in codes if rng.random() < 0.6])
        for worker_id, priority, kecamatan, _ in rows
    ]
    transport = {row[0]: rng.random() < 0.4 for row in rows}
    return rows, desa, transport, sources, quotas


def _check_priced(solution: Solution, sources: list[Source], transport: dict[int, bool]) -> None:
    by_code = {s.code: s for s in sources}
    spent = {s.code: 0 for s in sources}
    for worker_id, code in solution.assignment.select("worker_id", "source").iter_rows():
        spent[code] += _price(by_code[code], transport[worker_id])
    usage = {row["source"]: row for row in solution.per_source.iter_rows(named=True)}
    for s in sources:
        assert spent[s.code] <= s.budget
        assert usage[s.code]["cost"] == spent[s.code]
        assert usage[s.code]["remaining"] == s.budget - spent[s.code]
        assert usage[s.code]["workers"] <= usage[s.code]["capacity"]


@pytest.mark.parametrize("seed", range(300))
def test_it_matches_brute_force_with_two_prices_per_source(seed: int) -> None:
    rng = random.Random(seed)
    rows, desa, transport, sources, quotas = _random_priced_instance(rng, 1)
    expected = _brute_force_priced(rows, sources, quotas, desa, transport)
    workers = _workers_by_sector(rows, desa, transport)
    if expected is None:
        with pytest.raises(Infeasible):
            optimize(workers, sources, quotas)
        return
    solution = optimize(workers, sources, quotas)
    assert (solution.objective, solution.assignment.height) == expected
    assert solution.optimal
    assert solution.gap == 0
    _check_priced(solution, sources, transport)
    _check_constraints_without_capacity(solution, rows, quotas, desa)


def _check_constraints_without_capacity(
    solution: Solution,
    rows: list[tuple[int, int, str, list[str]]],
    quotas: list[Quota],
    desa: dict[int, str | None],
) -> None:
    by_id = {row[0]: row for row in rows}
    assigned = solution.assignment
    assert assigned["worker_id"].n_unique() == assigned.height
    per_kecamatan = dict.fromkeys(KECAMATAN, 0)
    per_desa: dict[str, int] = {}
    for worker_id, code in assigned.select("worker_id", "source").iter_rows():
        assert code in by_id[worker_id][3]
        per_kecamatan[by_id[worker_id][2]] += 1
        if (name := desa[worker_id]) is not None:
            per_desa[name] = per_desa.get(name, 0) + 1
    for q in quotas:
        assert q.minimum <= _covered(per_kecamatan, per_desa, q)
        assert q.maximum is None or _covered(per_kecamatan, per_desa, q) <= q.maximum


@pytest.mark.parametrize("seed", range(300))
def test_it_bounds_its_gap_with_several_two_price_sources(seed: int) -> None:
    rng = random.Random(10_000 + seed)
    rows, desa, transport, sources, quotas = _random_priced_instance(rng, rng.randint(2, 3))
    expected = _brute_force_priced(rows, sources, quotas, desa, transport)
    workers = _workers_by_sector(rows, desa, transport)
    try:
        solution = optimize(workers, sources, quotas)
    except Infeasible:
        assert expected is None
        return
    assert expected is not None
    _check_priced(solution, sources, transport)
    _check_constraints_without_capacity(solution, rows, quotas, desa)
    assert (solution.objective, solution.assignment.height) <= expected
    assert solution.objective + solution.gap >= expected[0]
    if solution.optimal:
        assert (solution.objective, solution.assignment.height) == expected
