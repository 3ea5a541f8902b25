"""Parity with the database persistences: every scenario of ``parity_scenarios.py`` on every backend.

The services that use this library as a fake in their tests run pip-services3-postgres in
production. Each scenario runs here on the memory and file persistences and on both PostgreSQL
persistences on a real server, and must have the outcome written down for that backend; the
table of outcomes is the one in ``docs/testing-with-the-memory-persistence.md``, which the last
test keeps in step with the scenarios.
"""

import re
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from parity_backends import ACTIVE_BACKENDS, ALL_BACKENDS, POSTGRES_BACKENDS, STRICT_BACKENDS, ParityBackend
from parity_scenarios import BY_DESIGN, DEFECT, SAME, SCENARIOS, VERDICTS, Scenario, observe

DOCS_PAGE = Path(__file__).resolve().parents[2] / 'docs' / 'testing-with-the-memory-persistence.md'


@pytest.fixture(params=ACTIVE_BACKENDS)
def parity_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ParityBackend]:
    server = request.getfixturevalue('postgres_server') if request.param in POSTGRES_BACKENDS else None
    backend = ParityBackend(request.param, tmp_path, server)
    yield backend
    backend.close()


@pytest.mark.parametrize('scenario', SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_the_scenario_has_the_outcome_written_down_for_the_backend(
        scenario: Scenario, parity_backend: ParityBackend) -> None:
    assert observe(scenario, parity_backend) == scenario.expected(parity_backend.name)


# ---------------------------------------------------------------------------------------------
# The table itself: complete, and its verdicts agree with its outcomes

def test_scenario_names_are_unique_and_verdicts_known() -> None:
    names = [scenario.name for scenario in SCENARIOS]
    assert len(names) == len(set(names))
    assert {scenario.verdict for scenario in SCENARIOS} <= set(VERDICTS)


@pytest.mark.parametrize('scenario', [each for each in SCENARIOS if each.verdict == SAME],
                         ids=lambda scenario: scenario.name)
def test_a_scenario_marked_same_expects_one_outcome_everywhere(scenario: Scenario) -> None:
    assert all(scenario.expected(backend) == scenario.fake for backend in ALL_BACKENDS)


@pytest.mark.parametrize('scenario', [each for each in SCENARIOS if each.verdict != SAME],
                         ids=lambda scenario: scenario.name)
def test_a_scenario_marked_different_expects_a_difference(scenario: Scenario) -> None:
    assert any(scenario.expected(backend) != scenario.fake for backend in ACTIVE_BACKENDS)


@pytest.mark.parametrize('scenario', [each for each in SCENARIOS if each.verdict == DEFECT],
                         ids=lambda scenario: scenario.name)
def test_the_strict_mode_copies_no_database_defect(scenario: Scenario) -> None:
    for backend in STRICT_BACKENDS:
        default_mode = backend[:-len('-strict')]
        assert scenario.expected(backend) == scenario.expected(default_mode)
    assert any(scenario.expected(backend) != scenario.fake for backend in POSTGRES_BACKENDS)


# ---------------------------------------------------------------------------------------------
# The documentation's table lists the same scenarios with the same verdicts

def documented_verdicts() -> List[Tuple[str, str]]:
    """(scenario, verdict) of each row of the docs page's parity table, in order."""
    text = DOCS_PAGE.read_text(encoding='utf-8')
    table = text.split('## The parity table', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in table.splitlines() if line.startswith('|')][2:]  # after header and rule
    cells = [[cell.strip() for cell in row.strip('|').split('|')] for row in rows]
    return [(re.sub(r'^`|`$', '', row[0]), row[-1]) for row in cells]


def test_the_docs_table_lists_every_scenario_with_its_verdict() -> None:
    assert documented_verdicts() == [(scenario.name, scenario.verdict) for scenario in SCENARIOS]
    assert BY_DESIGN in {verdict for _, verdict in documented_verdicts()}
