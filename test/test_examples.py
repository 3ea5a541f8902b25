"""The examples under ``examples/`` run as documented, and the beacons example behaves as a service expects.

The scripts run in subprocesses exactly as their docstrings say (``python examples/quickstart.py``,
``python -m examples.beacons`` from the repository root), with ``TMPDIR`` pointing at the test's
temporary directory so that whatever they write stays there. The beacons persistence fixture runs
over memory, a JSON file and PostgreSQL (the real server of the ``postgres_server`` fixture), and
the beacons container runs from its file and its PostgreSQL YAML configurations.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, List

import pytest
import yaml
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import FilterParams, PagingParams, SortField, SortParams
from pip_services3_commons.errors import BadRequestException

from pip_services3_data import IGetter, IWriter
from postgres_server import require_postgres_client
from support import why_the_container_cannot_be_imported

REPO_ROOT = Path(__file__).resolve().parent.parent
CID = 'examples-test'


def run_example(arguments: List[str], tmp_path: Path) -> subprocess.CompletedProcess:
    environment = dict(os.environ, TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE='1')
    return subprocess.run([sys.executable, *arguments], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_the_quickstart_runs(tmp_path: Path) -> None:
    result = run_example(['examples/quickstart.py'], tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.count('with generated id') == 3
    assert "page of 2 of 3 beacons of site-1: ['00001', '00002']" in result.stdout
    assert 'stored radius is still 70.0' in result.stdout
    assert 'after update_partially: 80.0' in result.stdout
    assert 'reloaded from beacons.json -> 00001 50.0' in result.stdout


def test_the_beacons_demo_runs(tmp_path: Path) -> None:
    result = run_example(['-m', 'examples.beacons'], tmp_path)

    assert result.returncode == 0, result.stderr
    for backend in ('In memory:', 'In beacons.json:'):
        output = result.stdout.split(backend, 1)[1]
        assert 'site-1, skip 0: 00001 Entrance, 00002 Cafeteria (2 of 3)' in output
        assert 'site-1, skip 2: 00003 Lobby (1 of 3)' in output
        assert 'udis 00002,00004: 00002 Cafeteria, 00004 Dock' in output
        assert 'widest two: 00004 Dock, 00001 Entrance' in output
        assert "renamed 00003 to 'Main lobby'" in output
        assert 'deleted Dock; 3 beacons left' in output
    assert "reopened: 3 beacons; 00003 is 'Main lobby', a BeaconV1" in result.stdout
    assert list(tmp_path.iterdir()) == []  # its temporary directory is gone


@pytest.fixture
def beacons(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    return importlib.import_module('examples.beacons')


@pytest.fixture(params=['memory', 'file', 'postgres'])
def persistence(request: pytest.FixtureRequest, beacons: ModuleType, tmp_path: Path) -> Any:
    """The example's persistence on each of its stores, open and holding five beacons."""
    if request.param == 'memory':
        persistence = beacons.BeaconsMemoryPersistence()
    elif request.param == 'file':
        persistence = beacons.BeaconsFilePersistence()
        persistence.configure(ConfigParams.from_tuples('path', str(tmp_path / 'beacons.json')))
    else:
        server = request.getfixturevalue('postgres_server')
        persistence = importlib.import_module('examples.beacons.BeaconsPostgresPersistence').BeaconsPostgresPersistence()
        persistence.configure(server.connection_config())
    persistence.open(CID)
    if request.param == 'postgres':
        persistence.clear(CID)  # the table outlives a test
    for site_id, udi, label, radius in [('2', 'u5', 'Gate', 10.0), ('1', 'u3', 'Hall', 30.0),
                                        ('1', 'u1', 'Door', 50.0), ('2', 'u4', 'Hall', 40.0),
                                        ('1', 'u2', 'Desk', 20.0)]:
        persistence.create(CID, beacons.BeaconV1(id=udi.replace('u', 'b'), site_id=site_id, udi=udi,
                                                 label=label, radius=radius))
    yield persistence
    persistence.close(CID)


def udis_of(persistence: Any, *filter_tuples: Any, paging: Any = None, sort: Any = None) -> List[str]:
    page = persistence.get_page_by_filter(CID, FilterParams.from_tuples(*filter_tuples), paging, sort)
    return [beacon.udi for beacon in page.data]


def test_the_interface_may_come_before_or_after_the_library_class(beacons: ModuleType) -> None:
    assert beacons.BeaconsFilePersistence.__bases__[0] is beacons.IBeaconsPersistence
    assert beacons.BeaconsMemoryPersistence.__bases__[-1] is beacons.IBeaconsPersistence


def test_a_persistence_is_all_its_interfaces(beacons: ModuleType, persistence: Any) -> None:
    for interface in (beacons.IBeaconsPersistence, IGetter, IWriter):
        assert isinstance(persistence, interface)


def test_each_filter_parameter_narrows_the_page(persistence: Any) -> None:
    assert udis_of(persistence) == ['u1', 'u2', 'u3', 'u4', 'u5']
    assert udis_of(persistence, 'id', 'b3') == ['u3']
    assert udis_of(persistence, 'site_id', '2') == ['u4', 'u5']
    assert udis_of(persistence, 'label', 'Hall') == ['u3', 'u4']
    assert udis_of(persistence, 'udi', 'u2') == ['u2']
    assert udis_of(persistence, 'udis', 'u5, u1,unknown') == ['u1', 'u5']
    assert udis_of(persistence, 'udis', ['u2', 'u4']) == ['u2', 'u4']  # FilterParams joins lists with commas
    assert udis_of(persistence, 'site_id', '1', 'label', 'Hall') == ['u3']
    assert udis_of(persistence, 'site_id', '3') == []


def test_pages_are_sorted_by_site_and_udi_unless_told_otherwise(persistence: Any) -> None:
    assert udis_of(persistence, 'label', 'Hall') == ['u3', 'u4']
    by_radius = SortParams(SortField('radius', False))
    assert udis_of(persistence, sort=by_radius) == ['u1', 'u4', 'u3', 'u2', 'u5']


def test_pages_carry_the_total_of_matches_when_asked(persistence: Any) -> None:
    page = persistence.get_page_by_filter(CID, FilterParams.from_tuples('site_id', '1'), PagingParams(1, 1, True))
    assert [beacon.udi for beacon in page.data] == ['u2']
    assert page.total == 3


def test_a_filter_value_is_matched_never_run(beacons: ModuleType, persistence: Any) -> None:
    # The PostgreSQL persistence writes filter values into SQL: a quote must stay a quote.
    persistence.create(CID, beacons.BeaconV1(id='b6', site_id='3', udi="u6'); DROP TABLE beacons; --",
                                             label="O'Hare"))
    assert udis_of(persistence, 'label', "O'Hare") == ["u6'); DROP TABLE beacons; --"]
    assert udis_of(persistence, 'udis', "u1,u6'); DROP TABLE beacons; --") == ['u1', "u6'); DROP TABLE beacons; --"]
    assert len(udis_of(persistence)) == 6


def test_a_beacon_is_found_by_its_udi(beacons: ModuleType, persistence: Any) -> None:
    found = persistence.get_one_by_udi(CID, 'u4')
    assert found == beacons.BeaconV1(id='b4', site_id='2', udi='u4', label='Hall', radius=40.0)
    assert persistence.get_one_by_udi(CID, 'unknown') is None


def test_writes_go_through_the_interface(beacons: ModuleType, persistence: Any) -> None:
    created = persistence.create(CID, beacons.BeaconV1(site_id='3', udi='u6'))
    assert len(created.id) == 32

    created.label = 'Roof'
    assert persistence.update(CID, created).label == 'Roof'
    assert persistence.get_one_by_id(CID, created.id).label == 'Roof'

    assert persistence.delete_by_id(CID, created.id).udi == 'u6'
    assert persistence.get_one_by_id(CID, created.id) is None


def test_the_postgres_persistence_sorts_by_beacon_fields_only() -> None:
    require_postgres_client()
    # Sort field names are written into its SQL: anything but a field of BeaconV1 is refused.
    postgres = importlib.import_module('examples.beacons.BeaconsPostgresPersistence')
    by_site_then_widest = SortParams(SortField('site_id'), SortField('radius', False))
    assert postgres.compose_order_by(CID, by_site_then_widest) == "data->'site_id', data->'radius' DESC"
    with pytest.raises(BadRequestException) as refused:
        postgres.compose_order_by(CID, SortParams(SortField("udi'; DROP TABLE beacons; --")))
    assert refused.value.code == 'UNKNOWN_SORT_FIELD'


def test_updating_a_beacon_that_is_not_there_gives_none(beacons: ModuleType, persistence: Any) -> None:
    assert persistence.update(CID, beacons.BeaconV1(id='unknown', site_id='1', udi='u9')) is None
    assert persistence.get_one_by_id(CID, 'unknown') is None


def test_the_file_persistence_reloads_beacons_as_beacons(beacons: ModuleType, tmp_path: Path) -> None:
    config = ConfigParams.from_tuples('path', str(tmp_path / 'beacons.json'))
    center = {'type': 'Point', 'coordinates': [-122.4, 37.7]}
    first = beacons.BeaconsFilePersistence()
    first.configure(config)
    first.open(CID)
    stored = first.create(CID, beacons.BeaconV1(site_id='1', type=beacons.BeaconTypeV1.iBeacon, udi='u1',
                                                label='Door', center=center, radius=12.5))
    first.close(CID)

    second = beacons.BeaconsFilePersistence(str(tmp_path / 'beacons.json'))
    second.open(CID)
    reloaded = second.get_one_by_udi(CID, 'u1')
    assert type(reloaded) is beacons.BeaconV1
    assert reloaded == stored
    second.close(CID)


BEACONS_CONFIG = REPO_ROOT / 'examples' / 'beacons' / 'config'


def test_moving_from_the_file_to_postgres_changes_one_component_of_the_yaml() -> None:
    file_components = yaml.safe_load((BEACONS_CONFIG / 'beacons-file.yml').read_text())
    postgres_components = yaml.safe_load((BEACONS_CONFIG / 'beacons-postgres.yml').read_text())

    changed = [(before, after) for before, after in zip(file_components, postgres_components) if before != after]
    assert len(file_components) == len(postgres_components) and len(changed) == 1
    file_persistence, postgres_persistence = changed[0]
    assert file_persistence.pop('descriptor') == 'beacons:persistence:file:default:1.0'
    assert postgres_persistence.pop('descriptor') == 'beacons:persistence:postgres:default:1.0'
    assert file_persistence.pop('path') == '{{BEACONS_FILE}}'
    assert set(postgres_persistence.pop('connection')) == {'host', 'port', 'database'}
    assert set(postgres_persistence.pop('credential')) == {'username', 'password'}
    assert file_persistence == postgres_persistence  # what is left, the options, is shared


@pytest.mark.parametrize('store', ['file', 'postgres'])
def test_the_container_runs_the_service_on_the_store_its_yaml_names(
        store: str, beacons: ModuleType, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    container_import_failure = why_the_container_cannot_be_imported()
    if container_import_failure is not None:
        pytest.skip(container_import_failure)
    parameters = ConfigParams.from_tuples('BEACONS_FILE', str(tmp_path / 'beacons.json'))
    if store == 'postgres':
        server = request.getfixturevalue('postgres_server')
        parameters = parameters.override(ConfigParams.from_tuples(
            'POSTGRES_HOST', server.host, 'POSTGRES_PORT', server.port, 'POSTGRES_DATABASE', server.database,
            'POSTGRES_USER', server.user, 'POSTGRES_PASSWORD', server.password))
    container_class = importlib.import_module('examples.beacons.BeaconsContainer').BeaconsContainer

    def open_container() -> Any:
        container = container_class()
        container.read_config_from_file(CID, str(BEACONS_CONFIG / f'beacons-{store}.yml'), parameters)
        container.open(CID)
        return container

    container = open_container()
    if store == 'postgres':
        container.persistence().clear(CID)  # the table outlives a test
    for udi, site_id in [('u1', 's1'), ('u2', 's2'), ('u3', 's1')]:
        container.persistence().create(CID, beacons.BeaconV1(site_id=site_id, udi=udi))
    container.close(CID)

    reopened = open_container()
    page = reopened.persistence().get_page_by_filter(CID, FilterParams.from_tuples('site_id', 's1'),
                                                     PagingParams(0, 10, True))
    assert [beacon.udi for beacon in page.data] == ['u1', 'u3'] and page.total == 2
    assert type(reopened.persistence().get_one_by_udi(CID, 'u2')) is beacons.BeaconV1
    reopened.close(CID)
