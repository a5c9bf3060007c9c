"""The annual programme's CP-SAT scheduler on a council-sized problem, beside the greedy baseline (the
audit lead's hand method) computed in the same run on the same problem.

The problem is generated from a fixed seed, so every run solves the same one: 300 processes with 1–3
of the three standards, 40 auditors (about 12 lead auditors) spread over 20 units of a 3-level tree,
processes owned by units across the tree, twelve months with August blocked, leave periods, risk
levels asking 0, 1 or 2 audits, and 140 clause references of which those not yet covered in the
cycle are required (a few only low-risk processes cover, so optional audits are needed).

Both answers go through the independent checker (``check_programme``). Targets (issue 11): the solver
under 10 s on 2 cores with no violation and an objective below the greedy's. The solver's own warm
start (the same pass choosing the emptiest month and the least-loaded people, then topping teams up)
is printed too, so what CP-SAT adds to it shows.
"""

from __future__ import annotations

import random
import time

from server.programme.checker import check_programme
from server.programme.greedy import balanced_start, greedy_programme
from server.programme.model import Auditor, Demand, Pin, Problem
from server.programme.objective import cost_breakdown
from server.programme.solver import schedule_programme

__all__ = ["generate_problem", "run"]

SEED, PROCESSES, AUDITORS, LEADS = 11, 300, 40, 12
TIME_LIMIT_S, WORKERS, TARGET_S = 9.0, 2, 10.0
STANDARDS = ("iso9001", "iso14001", "iso45001")
RARE = frozenset(
    {"iso9001:9.5", "iso9001:10.3", "iso14001:9.10", "iso14001:10.6", "iso45001:9.6", "iso45001:10.5"}
)
# Clause numbers per standard (numbers only): 50 + 45 + 45 = 140 references.
_SECTIONS = {
    "iso9001": {4: 4, 5: 5, 6: 6, 7: 10, 8: 17, 9: 5, 10: 3},
    "iso14001": {4: 4, 5: 5, 6: 8, 7: 8, 8: 4, 9: 10, 10: 6},
    "iso45001": {4: 4, 5: 7, 6: 10, 7: 7, 8: 6, 9: 6, 10: 5},
}


def _clauses(standard: str) -> list[str]:
    numbers = [f"{s}.{i}" for s, n in _SECTIONS[standard].items() for i in range(1, n + 1)]
    return [f"{standard}:{number}" for number in numbers]


def _units() -> dict[str, str | None]:
    """A 3-level tree: the general direction, 4 directorates, 15 services (20 units)."""
    parent_of: dict[str, str | None] = {"U-DG": None}
    for d in range(1, 5):
        parent_of[f"U-D{d}"] = "U-DG"
    for s in range(1, 16):
        parent_of[f"U-S{s:02}"] = f"U-D{(s - 1) % 4 + 1}"
    return parent_of


def _auditors(rng: random.Random, units: list[str]) -> tuple[Auditor, ...]:
    people = []
    for i in range(AUDITORS):
        lead = i % 10 in (0, 3, 7)  # 12 of 40
        standards = {"iso9001"} if rng.random() < 0.75 else set()
        standards |= {s for s in STANDARDS[1:] if rng.random() < 0.45}
        if not standards:
            standards = {rng.choice(STANDARDS)}
        start, length = rng.randint(1, 12), rng.choice((0, 0, 1, 2, 3))
        away = frozenset((start + k - 1) % 12 + 1 for k in range(length))
        unit = units[rng.randrange(1, len(units))]  # nobody at the top: they could audit nothing
        people.append(
            Auditor(
                id=f"A{i:02}",
                unit_id=unit,
                standards=frozenset(standards),
                lead=lead,
                unavailable_months=away,
                max_per_month=3 if lead else 2,
            )
        )
    return tuple(people)


def _demands(rng: random.Random, units: list[str]) -> tuple[Demand, ...]:
    all_clauses = {s: _clauses(s) for s in STANDARDS}
    demands = []
    for i in range(PROCESSES):
        count = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        chosen = rng.sample(STANDARDS, count)
        standards = tuple(s for s in STANDARDS if s in chosen)
        level = rng.choices(("high", "medium", "low"), weights=(15, 45, 40))[0]
        minimum, maximum = {"high": (2, 2), "medium": (1, 1), "low": (0, 1)}[level]
        clauses = {c for s in standards for c in all_clauses[s] if rng.random() < 0.2}
        if level != "low":
            clauses -= RARE  # only processes in their off year cover these: optional audits needed
        demands.append(
            Demand(
                process_id=f"P{i:03}",
                owner_unit_id=units[rng.randrange(1, len(units))],
                standards=standards,
                min_audits=minimum,
                max_audits=maximum,
                clauses=frozenset(clauses),
                risk={"high": 70, "medium": 45, "low": 20}[level] + rng.randint(0, 9),
                days=rng.choice((1, 1, 2, 2, 3)),
            )
        )
    return tuple(demands)


def generate_problem(seed: int = SEED) -> Problem:
    """The benchmark's problem: the same for the same seed."""
    rng = random.Random(seed)
    parent_of = _units()
    units = list(parent_of)
    auditors = _auditors(rng, units)
    demands = _demands(rng, units)
    # Clauses the cycle's past audits already covered are not required; required ones that only a
    # low-risk process covers call for an optional audit.
    coverable = {c for d in demands for c in d.clauses}
    required = frozenset(c for c in sorted(coverable) if rng.random() < 0.6 or c in RARE)
    pins = (Pin(process_id=demands[0].process_id, occurrence=0, month=3),)
    return Problem(
        year=2026,
        demands=demands,
        auditors=auditors,
        parent_of=parent_of,
        required_clauses=required,
        blocked_months=frozenset({8}),
        capacity_per_month=30,
        max_team_size=3,
        min_gap_months=4,
        pins=pins,
    )


def _line(status: str, seconds: float, objective: int | None, violations: int) -> str:
    return f"{seconds:6.2f} s  {status:10}  objective {objective!s:>6}  violations {violations}"


async def run() -> list[tuple[str, str, str, str]]:
    problem = generate_problem()
    started = time.perf_counter()
    greedy = greedy_programme(problem)
    greedy_s = time.perf_counter() - started
    warm = balanced_start(problem)
    solved = schedule_programme(problem, time_limit_s=TIME_LIMIT_S, workers=WORKERS)
    greedy_bad = len(check_programme(problem, greedy.audits))
    solver_bad = len(check_programme(problem, solved.audits))
    size = f"{len(problem.demands)} processes × 3 standards × {len(problem.auditors)} auditors × 12 months"
    ratio = f"{solved.objective / greedy.objective:5.2f}x" if solved.objective and greedy.objective else "n/a"
    met = (
        solved.seconds < TARGET_S
        and solver_bad == 0
        and solved.objective is not None
        and greedy.objective is not None
        and solved.objective < greedy.objective
    )
    breakdowns = [cost_breakdown(problem, s.audits) for s in (solved, greedy)]
    parts = [
        "  ".join(f"{name} {getattr(b, name)}" for name in ("balance", "spreading", "optional", "peak"))
        for b in breakdowns
    ]
    return [
        (f"programme: {size}", f"audits: greedy {len(greedy.audits)}, solver {len(solved.audits)}", "", ""),
        ("programme: greedy baseline", _line(greedy.status, greedy_s, greedy.objective, greedy_bad), "", ""),
        (
            "programme: solver's warm start (balanced pass)",
            _line(warm.status, warm.seconds, warm.objective, len(check_programme(problem, warm.audits))),
            "",
            "",
        ),
        (
            f"programme: CP-SAT, {WORKERS} workers, limit {TIME_LIMIT_S:g} s",
            _line(solved.status, solved.seconds, solved.objective, solver_bad),
            "vs greedy",
            ratio,
        ),
        ("programme: solver objective breakdown", parts[0], "greedy", parts[1]),
        (
            "programme: target",
            f"< {TARGET_S:g} s, 0 violations, objective below greedy",
            "met" if met else "NOT MET",
            "",
        ),
    ]
