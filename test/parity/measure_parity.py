"""Prints what every parity scenario does on every backend, as a Markdown table.

Run from the repository root with the test extra installed::

    .venv/bin/python test/parity/measure_parity.py

It starts its own PostgreSQL server the way the tests do (and leaves nothing behind). Each cell
is the observation, marked ``!`` where it differs from the expectation written in
``parity_scenarios.py``. The tests, not this script, decide what passes.
"""

import argparse
import sys
import tempfile
from pathlib import Path
from typing import List

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from parity_backends import ACTIVE_BACKENDS, POSTGRES_BACKENDS, ParityBackend  # noqa: E402
from parity_scenarios import SCENARIOS, observe  # noqa: E402
from postgres_server import find_server_binaries, running_postgres_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    backends = ACTIVE_BACKENDS
    binaries = find_server_binaries()
    if binaries is None:
        sys.exit('PostgreSQL is not installed (apt-get install postgresql)')
    with running_postgres_server(binaries) as server, tempfile.TemporaryDirectory() as folder:
        rows: List[List[str]] = []
        for number, scenario in enumerate(SCENARIOS):
            cells = [scenario.name]
            for name in backends:
                backend = ParityBackend(name, Path(folder) / f'{number}-{name}',
                                        server if name in POSTGRES_BACKENDS else None)
                try:
                    observed = observe(scenario, backend)
                finally:
                    backend.close()
                mark = '' if observed == scenario.expected(name) else ' !'
                cells.append(f'`{observed!r}`{mark}')
            rows.append(cells + [scenario.verdict])
    print('| scenario | ' + ' | '.join(backends) + ' | verdict |')
    print('|---' * (len(backends) + 2) + '|')
    for cells in rows:
        print('| ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
