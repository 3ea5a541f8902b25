"""Typed user code checks clean against the package's annotations, under the repository's strict mypy.ini.

mypy runs in a subprocess on ``typing_usage.py`` (a typed service's persistences) and on the
beacons example; its cache goes to a temporary directory. The package's own internals are
checked by ``python -m mypy`` in CI, not here.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

from postgres_server import require_postgres_client

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DIR = REPO_ROOT / 'test'
USAGE = TEST_DIR / 'typing_usage.py'


@pytest.fixture(scope='module')
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp('mypy_cache')


def run_mypy(cache_dir: Path, *paths: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, '-m', 'mypy', '--config-file', str(REPO_ROOT / 'mypy.ini'),
               '--cache-dir', str(cache_dir), '--no-color-output', '--show-error-codes',
               *map(str, paths)]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, MYPYPATH=str(TEST_DIR)))


def messages(result: subprocess.CompletedProcess, path: Path, kind: str) -> Dict[int, str]:
    """The ``error`` or ``note`` messages mypy gave for ``path``, by line number."""
    pattern = re.compile(r'^(?P<path>[^:]+):(?P<line>\d+): ' + kind + r': (?P<message>.*)$')
    found: Dict[int, str] = {}
    for line in result.stdout.splitlines():
        match = pattern.match(line)
        if match and Path(match.group('path')).name == path.name:
            found[int(match.group('line'))] = match.group('message')
    return found


def normalised(type_text: str) -> str:
    """Spells a revealed type the same whatever mypy version printed it."""
    type_text = re.sub(r'\b(typing_usage|builtins)\.', '', type_text)
    type_text = re.sub(r'^Union\[(.*), None\]$', r'\1 | None', type_text)
    type_text = re.sub(r'^Optional\[(.*)\]$', r'\1 | None', type_text)
    return re.sub(r'\bList\[', 'list[', type_text)


def lines_marked(path: Path, marker: str) -> Dict[int, str]:
    """The lines of ``path`` that end with ``# <marker>: text``, with that text."""
    marked: Dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), start=1):
        match = re.search(r'#\s*' + marker + r':\s*(.*)$', line)
        if match:
            marked[number] = match.group(1).strip()
    return marked


def test_typed_user_code_checks_clean_under_strict_mypy(cache_dir: Path) -> None:
    result = run_mypy(cache_dir, USAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert messages(result, USAGE, 'error') == {}


def test_reads_are_typed_with_the_item_type_the_persistence_is_subscripted_with(cache_dir: Path) -> None:
    result = run_mypy(cache_dir, USAGE)
    revealed = {line: normalised(re.sub(r'^Revealed type is "(.*)"$', r'\1', message))
                for line, message in messages(result, USAGE, 'note').items()
                if message.startswith('Revealed type is')}
    expected = lines_marked(USAGE, 'revealed')
    assert expected, 'typing_usage.py has no reveal_type line'
    assert revealed == expected


def test_mypy_rejects_items_and_ids_of_the_wrong_type(cache_dir: Path, tmp_path: Path) -> None:
    misuse = tmp_path / 'misuse.py'
    misuse.write_text('\n'.join([
        'from typing_usage import Note, NotesMemoryPersistence',
        'memory = NotesMemoryPersistence()',
        "memory.create(None, {'id': '1'})  # expected: arg-type",
        'memory.get_one_by_id(None, 1)  # expected: arg-type',
        "note: Note = memory.get_one_by_id(None, '1')  # expected: assignment",
        "memory.update_partially(None, '1', ['not', 'a', 'map'])  # expected: arg-type",
        "memory.get_page_by_filter(None, 'a filter', None)  # expected: arg-type",
        '',
    ]), encoding='utf-8')

    result = run_mypy(cache_dir, misuse)

    reported = {line: re.sub(r'^.*\[(?P<code>[a-z-]+)\]$', r'\g<code>', message)
                for line, message in messages(result, misuse, 'error').items()}
    assert reported == lines_marked(misuse, 'expected'), result.stdout


def test_the_beacons_example_checks_clean(cache_dir: Path) -> None:
    # Its PostgreSQL persistence is typed against pip-services3-postgres, which needs psycopg2,
    # which has no PyPy build: there the example cannot be checked whole.
    require_postgres_client()
    result = run_mypy(cache_dir, REPO_ROOT / 'examples' / 'beacons')
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typed_user_code_runs(tmp_path: Path) -> None:
    import typing_usage

    note = typing_usage.use_the_persistences(str(tmp_path / 'notes.json'))
    assert note == typing_usage.Note(id='n1', author='bob')
    names = typing_usage.NamesPersistence()
    for name in ['Alice', 'Bob', 'Alfred']:
        names.create(None, name)
    assert names.get_names_starting_with(None, 'Al') == ['Alice', 'Alfred']

