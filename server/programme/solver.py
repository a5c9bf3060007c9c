"""``schedule_programme``: the year's audits built by OR-Tools CP-SAT, from the model of
``solver_model`` (what each variable and hard constraint is, and the objective): the whole year first,
hinted with the better of the greedy and balanced starts, then a neighbourhood search on the best
programme found, and the explanation when none exists.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from server.programme.explain import explain_infeasible, structural_blockers
from server.programme.greedy import (
    Slot,
    balanced_start,
    greedy_programme,
    open_months,
)
from server.programme.model import PlannedAudit, Problem, Solution, SolveStatus
from server.programme.objective import (
    auditor_loads,
    programme_cost,
)
from server.programme.solver_model import ProgrammeModel

__all__ = ["schedule_programme"]


def _warm_start(problem: Problem) -> Solution:
    """The better of the greedy baseline and the balanced start: complete first, then cheaper."""
    starts = [greedy_programme(problem), balanced_start(problem)]
    return min(starts, key=lambda start: (start.status != "feasible", start.objective or 0))


def _solve(
    built: ProgrammeModel, seconds: float, workers: int, seed: int
) -> tuple[cp_model.CpSolver, SolveStatus]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # On a council-sized year the presolve takes seconds (probing the per-person cumulatives above
    # all) while the warm start already is a complete solution: the search does better without it.
    solver.parameters.cp_model_presolve = False
    code = solver.solve(built.model)
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError(f"invalid programme model: {built.model.validate()}")
    return solver, _STATUS[code]


_STATUS: dict[cp_model.CpSolverStatus, SolveStatus] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}
FIRST_SHARE = 0.25
"""Share of the time limit for the whole-year model before the neighbourhood search takes over."""
NEIGHBOURHOOD, NEIGHBOURHOOD_SECONDS = 40, 0.5
"""Audits set free in one round of the neighbourhood search, and its time limit."""


def schedule_programme(problem: Problem, *, time_limit_s: float, workers: int = 2, seed: int = 0) -> Solution:
    """The year's programme meeting every hard constraint at the least ``programme_cost`` found within
    ``time_limit_s`` (building the models included).

    First the whole year as one model, hinted with the warm start, for a share of the time: a small
    year ends there, ``optimal`` or ``infeasible``. Then, if time is left, a neighbourhood search
    improves the best programme: each round frees some audits (those of the most and least loaded
    people, or of two months, or of a few processes), freezes the others and lets CP-SAT re-plan the
    free ones in the same model; a better programme replaces the incumbent.

    ``optimal`` or ``feasible`` come with the audits; ``infeasible`` with ``blockers`` saying why
    (``explain.explain_infeasible``, within what is left of ``time_limit_s``); ``unknown`` when the time ran
    out before any programme or proof was found.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    start = _warm_start(problem)
    if start.status != "feasible" and (blockers := structural_blockers(problem)):
        return Solution("infeasible", (), None, time.perf_counter() - started, blockers)
    built = ProgrammeModel(problem)
    built.add_objective()
    built.add_hint(start.audits)
    first = deadline - time.perf_counter()
    if start.status == "feasible":  # the neighbourhood search has an incumbent to work from
        first = min(first, max(1.0, FIRST_SHARE * time_limit_s))
    solver, status = _solve(built, first, workers, seed)
    if status == "optimal":
        audits = built.audits(solver)
        return Solution(status, audits, programme_cost(problem, audits), time.perf_counter() - started)
    if status == "feasible" or (status == "unknown" and start.status == "feasible"):
        best = built.audits(solver) if status == "feasible" else start.audits
        bound = math.ceil(solver.best_objective_bound) if status == "feasible" else 0
        best = _improve(problem, best, deadline, workers, seed, bound)
        cost = programme_cost(problem, best)
        status = "optimal" if cost <= bound else "feasible"  # the search met the proven bound
        return Solution(status, best, cost, time.perf_counter() - started)
    # The explanation shares the solve's budget (at least a second): an answer ends about when the limit does.
    blockers = explain_infeasible(problem, time_limit_s=max(1.0, deadline - time.perf_counter()))
    if blockers:
        status = "infeasible"  # each blocker is itself a proof that no programme exists
    return Solution(status, (), None, time.perf_counter() - started, blockers)


def _improve(
    problem: Problem, audits: tuple[PlannedAudit, ...], deadline: float, workers: int, seed: int, bound: int
) -> tuple[PlannedAudit, ...]:
    """The neighbourhood search (see ``schedule_programme``) until ``deadline``, or until the cost
    meets ``bound``, a proven lower bound."""
    rng = random.Random(seed)  # noqa: S311 - which audits to free next, nothing secret
    keys = [(d.process_id, k) for d in problem.demands for k in range(max(d.min_audits, d.max_audits))]
    best, cost = audits, programme_cost(problem, audits)
    rounds = 0
    while cost > bound and deadline - time.perf_counter() > NEIGHBOURHOOD_SECONDS / 2:
        current = {(a.process_id, a.occurrence): a for a in best}
        free = _neighbourhood(problem, current, keys, rng, rounds)
        rounds += 1
        part = ProgrammeModel(problem, fixed={key: current.get(key) for key in keys if key not in free})
        part.add_objective()
        part.add_hint(best)
        seconds = min(NEIGHBOURHOOD_SECONDS, deadline - time.perf_counter())
        solver, status = _solve(part, seconds, workers, seed + rounds)
        if status in ("optimal", "feasible"):
            found = part.audits(solver)
            if programme_cost(problem, found) < cost:
                best, cost = found, programme_cost(problem, found)
    return best


def _neighbourhood(
    problem: Problem,
    current: Mapping[Slot, PlannedAudit],
    keys: Sequence[Slot],
    rng: random.Random,
    rounds: int,
) -> set[Slot]:
    """The audits one round sets free, in turn: those of the most and least loaded people (with others
    of their months to trade with); those of two months; every possible audit of a few processes; the
    optional audits with every other optional audit that could cover the same clauses."""
    kind, keep = rounds % 4, set[Slot]()
    if kind == 0:
        loads = auditor_loads(problem, list(current.values()))
        high, low = max(loads.values(), default=0), min(loads.values(), default=0)
        people = {pid for pid, load in loads.items() if load in (high, low)}
        free = {key for key, a in current.items() if people & {a.lead_id, *a.auditor_ids}}
        months = {current[key].month for key in free}
        others = sorted(key for key, a in current.items() if a.month in months and key not in free)
        free |= set(rng.sample(others, min(len(others), max(0, NEIGHBOURHOOD - len(free)))))
    elif kind == 1:
        months = set(rng.sample(open_months(problem), min(2, len(open_months(problem)))))
        free = {key for key, a in current.items() if a.month in months}
    elif kind == 2:
        chosen = {
            d.process_id for d in rng.sample(problem.demands, min(len(problem.demands), NEIGHBOURHOOD // 2))
        }
        free = {key for key in keys if key[0] in chosen}
    else:
        demand_of = {d.process_id: d for d in problem.demands}
        optional = [key for key in keys if key[1] >= demand_of[key[0]].min_audits]
        keep = {key for key in optional if key in current}
        served = problem.required_clauses & set().union(*(demand_of[pid].clauses for pid, _ in keep))
        free = {key for key in optional if demand_of[key[0]].clauses & served}
    rest = sorted(free - keep)
    room = max(0, (2 * NEIGHBOURHOOD if keep else NEIGHBOURHOOD) - len(keep))
    return keep | set(rng.sample(rest, min(len(rest), room)))
