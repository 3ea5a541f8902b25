"""Benchmark of pip_services3_data beside its floors and the releases 3.3.0 and 3.2.3.

    python benchmarks/run.py                         # full run, about 15 minutes on 2 cores
    python benchmarks/run.py --quick --output r.md   # smoke run for CI: N = 1,000, targets not judged
    python benchmarks/run.py --sections writes,open --libraries ours,3.3.0

Every library is measured in worker processes of its own (this same script, ``--worker``), since
all releases have the import name ``pip_services3_data``; the floors are timed in the same worker,
their batches taking turns with the library's. The releases run from virtualenvs made on first
use: ``benchmarks/.venv-3.3.0`` (from commit 3fb39ee of this repository) and
``benchmarks/.venv-3.2.3`` (from PyPI). Exit status: 0 when every measurement of this library ran,
1 when one crashed, 2 when a release cannot be set up in a full run (``--quick`` goes on without
it). Missed targets are FAIL lines, never a failing status. See README.md here for the method.
"""

import argparse
import datetime
import gc
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import Any, Callable, Dict, List, Optional, Tuple

BENCHMARKS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCHMARKS_DIR)
RESULT_MARKER = '@@BENCHMARK-RESULT@@ '
SHAPES = ['objects', 'dicts']
OPERATIONS = ['get_one_by_id', 'get_page_by_filter', 'get_list_by_filter', 'update', 'update_partially',
              'delete_by_id', 'create']  # create last: its items stay, so the store grows a little
WRITES = ['create', 'set', 'update', 'update_partially', 'delete_by_id']
THREADS = 8
#: How each release is installed: 3.3.0 from its commit in this repository, 3.2.3 from PyPI.
RELEASES = {'3.3.0': '3fb39ee94c129216634f8540fcb5c7042c8d5d25', '3.2.3': 'pip-services3-data==3.2.3'}
TITLES = {'ours': 'this library', '3.3.0': '3.3.0', '3.2.3': '3.2.3'}
SECTIONS = ['memory', 'operations', 'writes', 'open', 'concurrency']


def timing(rounds: int, min_rounds: int, batch_seconds: float, budget_seconds: float, passes: int = 1) -> dict:
    return dict(rounds=rounds, min_rounds=min_rounds, batch_seconds=batch_seconds,
                budget_seconds=budget_seconds, passes=passes)


FULL = {'sizes': {'memory': [100_000], 'operations': [100_000], 'writes': [1_000, 10_000, 100_000],
                  'open': [100_000], 'concurrency': [10_000]},
        'timing': {'memory': timing(1, 1, 0, 0), 'operations': timing(5, 3, 0.05, 1.0),
                   'writes': timing(7, 3, 0.05, 1.0, passes=3), 'open': timing(5, 3, 0, 2.0),
                   'concurrency': timing(5, 3, 0, 2.0)},
        'concurrent_writes': 2 * THREADS}
QUICK = {'sizes': {section: [1_000] for section in SECTIONS},
         'timing': {section: timing(3, 2, 0.004, 0.1) for section in SECTIONS}, 'concurrent_writes': THREADS}


# --- Items: the same for every library, from one seed ------------------------------------------

class Item:
    """The object shape: a plain class with attributes, as services define their items."""

    def __init__(self, id: str, key: str, content: str, details: dict):
        self.id, self.key, self.content, self.details = id, key, content, details


def make_fields(rng: random.Random, number: int, item_id: Optional[str] = None) -> dict:
    owner = rng.randrange(10_000)
    words = ['order', 'invoice', 'shipment', 'customer', 'parcel', 'refund', 'ticket', 'payment']
    return {'id': item_id or '%032x' % rng.getrandbits(128),
            'key': 'key-%02d' % rng.randrange(100),  # each key marks about 1% of the items
            'content': '%s %s number %d' % (rng.choice(words).capitalize(), rng.choice(words), number),
            'details': {'tags': rng.sample(['red', 'green', 'blue', 'urgent', 'draft', 'vip', 'eu', 'us'], 3),
                        'rank': rng.randrange(1000),
                        'owner': {'name': 'User %d' % owner, 'email': 'user%d@example.com' % owner}}}


def shaped(fields: dict, shape: str) -> Any:
    return Item(**fields) if shape == 'objects' else fields


def make_items(size: int, shape: str, seed: int) -> List[Any]:
    rng = random.Random(seed)
    return [shaped(make_fields(rng, number), shape) for number in range(size)]


def id_of(item: Any) -> str:
    return item['id'] if isinstance(item, dict) else item.id


# --- Floors ---------------------------------------------------------------------------------------

def copy_object(item: Item) -> Item:
    """The fastest correct copy of an object item that we found (faster than calling __init__)."""
    copied = Item.__new__(Item)
    details = item.details
    copied.id, copied.key, copied.content = item.id, item.key, item.content
    copied.details = {'tags': details['tags'][:], 'rank': details['rank'], 'owner': details['owner'].copy()}
    return copied


def copy_dict(item: dict) -> dict:
    copied = item.copy()
    details = item['details']
    copied['details'] = {'tags': details['tags'][:], 'rank': details['rank'], 'owner': details['owner'].copy()}
    return copied


class FloorStore:
    """The bare floor: a dict keyed by id that keeps and returns the callers' own items, with the
    library's method signatures. ``delete_by_id`` also closes the gap in a list of the ids in
    insertion order, as the library keeps its items ordered; keeping that list's positions in
    step is the library's work, not the floor's."""

    def __init__(self) -> None:
        self.items_by_id: Dict[str, Any] = {}
        self.original_order: List[str] = []
        self.ordered_ids: List[str] = []
        self.position_by_id: Dict[str, int] = {}

    def fix_order(self) -> None:
        self.original_order = list(self.items_by_id)
        self.position_by_id = {item_id: position for position, item_id in enumerate(self.original_order)}
        self.reset_order()

    def reset_order(self) -> None:
        self.ordered_ids = list(self.original_order)

    def create(self, correlation_id: Any, item: Any) -> Any:
        self.items_by_id[id_of(item)] = item
        return item

    def get_one_by_id(self, correlation_id: Any, item_id: str) -> Any:
        return self.items_by_id.get(item_id)

    def get_list_by_filter(self, correlation_id: Any, matches: Callable) -> list:
        return [item for item in self.items_by_id.values() if matches(item)]

    def get_page_by_filter(self, correlation_id: Any, matches: Callable, paging: Any) -> tuple:
        matching = [item for item in self.items_by_id.values() if matches(item)]
        return matching[:paging.take], len(matching)

    def update(self, correlation_id: Any, item: Any) -> Any:
        item_id = id_of(item)
        if item_id not in self.items_by_id:
            return None
        self.items_by_id[item_id] = item
        return item

    def update_partially(self, correlation_id: Any, item_id: str, changes: dict) -> Any:
        item = self.items_by_id.get(item_id)
        if isinstance(item, dict):
            item.update(changes)
        elif item is not None:
            for name, value in changes.items():
                setattr(item, name, value)
        return item

    def delete_by_id(self, correlation_id: Any, item_id: str) -> Any:
        del self.ordered_ids[self.position_by_id[item_id]]
        return self.items_by_id.pop(item_id, None)


class CopyFloorStore(FloorStore):
    """The copy floor: the bare floor plus the copies the contract asks for, made by a copier
    written for the benchmark's item shape. Writes keep a copy; reads return copies."""

    def __init__(self, copier: Callable[[Any], Any]) -> None:
        super().__init__()
        self.copy = copier

    def create(self, correlation_id: Any, item: Any) -> Any:
        self.items_by_id[id_of(item)] = self.copy(item)
        return item

    def get_one_by_id(self, correlation_id: Any, item_id: str) -> Any:
        item = self.items_by_id.get(item_id)
        return None if item is None else self.copy(item)

    def get_list_by_filter(self, correlation_id: Any, matches: Callable) -> list:
        return [self.copy(item) for item in self.items_by_id.values() if matches(item)]

    def get_page_by_filter(self, correlation_id: Any, matches: Callable, paging: Any) -> tuple:
        matching = [item for item in self.items_by_id.values() if matches(item)]
        return [self.copy(item) for item in matching[:paging.take]], len(matching)

    def update(self, correlation_id: Any, item: Any) -> Any:
        return super().update(correlation_id, self.copy(item)) and item

    def update_partially(self, correlation_id: Any, item_id: str, changes: dict) -> Any:
        item = super().update_partially(correlation_id, item_id, changes)
        return None if item is None else self.copy(item)


def write_atomically(path: str, content: bytes) -> None:
    """The I/O floor: a temporary file written and fsynced, ``os.replace``, directory fsync."""
    temporary_path = '%s.%d.tmp' % (path, os.getpid())
    descriptor = os.open(temporary_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        os.write(descriptor, content)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary_path, path)
    directory = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def sync_disks() -> None:
    """Flushes all dirty pages, so that no file batch pays for the writeback of the ones before it."""
    if hasattr(os, 'sync'):
        os.sync()


# --- Timing ---------------------------------------------------------------------------------------

#: prepare(count) -> arguments, timed(arguments) -> outcome, clean_up(arguments, outcome), largest batch
Contender = Tuple[Callable[[int], Any], Callable[[Any], Any], Callable[[Any, Any], None], int]


def no_clean_up(arguments: Any, outcome: Any) -> None:
    pass


def time_interleaved(contenders: Dict[str, Contender], settings: dict) -> Dict[str, float]:
    """Median µs per call of each contender over batches, the contenders taking turns.

    Each contender makes two single calls first: one that warms up (lazy set-up, caches), one
    that sizes its batch to about ``batch_seconds``. Then every round runs one batch of each, in
    reverse order every other round, until ``rounds``, or once ``min_rounds`` are done until the
    ``budget_seconds`` per contender are spent. Arguments are made and cleaned up off the clock.
    GC stays on, as users run it; a full collection before each batch keeps one batch's garbage
    from being charged to the next.
    """
    batches = {}
    for name, (prepare, timed, clean_up, largest) in contenders.items():
        for _ in range(2):
            arguments = prepare(1)
            started = time.perf_counter()
            clean_up(arguments, timed(arguments))
            single = max(time.perf_counter() - started, 1e-9)
        batches[name] = max(1, min(largest, int(settings['batch_seconds'] / single)))
    samples: Dict[str, List[float]] = {name: [] for name in contenders}
    order = list(contenders)
    budget_start = time.perf_counter()
    for round_number in range(settings['rounds']):
        for name in order if round_number % 2 == 0 else reversed(order):
            prepare, timed, clean_up, _largest = contenders[name]
            arguments = prepare(batches[name])
            gc.collect()
            started = time.perf_counter()
            outcome = timed(arguments)
            samples[name].append((time.perf_counter() - started) / batches[name])
            clean_up(arguments, outcome)
        spent = time.perf_counter() - budget_start
        if round_number + 1 >= settings['min_rounds'] and spent > settings['budget_seconds'] * len(order):
            break
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


# --- Worker: one section of one library at one size, in its own process ------------------------

class Worker:
    def __init__(self, job: dict) -> None:
        self.library, self.size, self.seed = job['library'], job['size'], job['seed']
        self.timing = job['settings']['timing'][job['section']]
        self.concurrent_writes = job['settings']['concurrent_writes']
        self.directory = job['directory']
        self.records: List[list] = []
        self.errors: List[str] = []

    def measure(self, context: str, shape: str, measurement: Callable[[], Dict[str, float]]) -> None:
        try:
            self.records += [[self.size, shape, name, value] for name, value in measurement().items()]
        except Exception:
            self.errors.append('%s %s: %s' % (context, shape, traceback.format_exc()))
        gc.collect()

    def file_persistence(self, path: str, item_type: Optional[type]) -> Any:
        from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister
        persistence = IdentifiableFilePersistence(JsonFilePersister(path, item_type) if item_type else
                                                  JsonFilePersister(path))
        persistence.open(None)
        return persistence

    def saved_file(self, name: str, shape: str) -> Tuple[str, List[Any]]:
        """A file of N items the library wrote itself, and those items."""
        from pip_services3_data.persistence import JsonFilePersister
        path, items = os.path.join(self.directory, '%s-%s.json' % (name, shape)), make_items(self.size, shape, self.seed)
        JsonFilePersister(path).save(None, items)
        return path, items

    def memory(self, shape: str) -> None:
        """Peak traced memory while N creates fill a store, each item made just before it is handed
        over and not kept by the caller, as in a service."""
        from pip_services3_data.persistence import IdentifiableMemoryPersistence

        def peak(store: Any) -> float:
            rng = random.Random(self.seed)
            gc.collect()
            tracemalloc.start()
            for number in range(self.size):
                store.create(None, shaped(make_fields(rng, number), shape))
            peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak_bytes
        self.measure('memory', shape, lambda: {'floor': peak(FloorStore()), 'library': peak(IdentifiableMemoryPersistence())})

    def operations(self, shape: str) -> None:
        """The in-memory operations, beside the bare floor and the copy floor; get_one_by_id also on a
        file persistence of the same items (the cost of reading from a file persistence)."""
        from pip_services3_commons.data import PagingParams
        from pip_services3_data.persistence import IdentifiableMemoryPersistence
        size, rng, numbers = self.size, random.Random(self.seed + 1), iter(range(self.size, 10 ** 9))
        stores = {'floor': FloorStore(), 'copy floor': CopyFloorStore(copy_object if shape == 'objects' else copy_dict),
                  'library': IdentifiableMemoryPersistence()}
        for store in stores.values():
            for item in make_items(size, shape, self.seed):
                store.create(None, item)
            if isinstance(store, FloorStore):
                store.fix_order()
        ids = list(stores['floor'].items_by_id)

        def key_filter(floor: bool) -> Callable[[Any], bool]:
            key = 'key-%02d' % rng.randrange(100)
            # 3.2.3 turns every dict it is given into a class: only attribute access works there.
            if shape == 'objects' or (self.library == '3.2.3' and not floor):
                return lambda item: item.key == key
            return lambda item: item['key'] == key

        def calls(operation: str, count: int, floor: bool) -> List[tuple]:
            if operation == 'get_one_by_id':
                return [(ids[rng.randrange(size)],) for _ in range(count)]
            if operation == 'get_page_by_filter':
                return [(key_filter(floor), PagingParams(0, 100)) for _ in range(count)]
            if operation == 'get_list_by_filter':
                return [(key_filter(floor),) for _ in range(count)]
            if operation == 'update':
                return [(shaped(make_fields(rng, next(numbers), ids[rng.randrange(size)]), shape),) for _ in range(count)]
            if operation == 'update_partially':
                return [(ids[rng.randrange(size)], {'content': 'Edited %d' % next(numbers)}) for _ in range(count)]
            if operation == 'delete_by_id':  # distinct ids at positions that stay valid for the floor's del
                return [(ids[position],) for position in rng.sample(range(size - count), count)]
            return [(shaped(make_fields(rng, next(numbers)), shape),) for _ in range(count)]

        def contender(operation: str, store: Any) -> Contender:
            method, floor = getattr(store, operation), isinstance(store, FloorStore)

            def timed(arguments: List[tuple]) -> List[Any]:
                outcomes = []
                for call in arguments:
                    outcomes.append(method(None, *call))
                    if outcomes[-1] is None:
                        raise RuntimeError('%s returned None for a stored id' % operation)
                return outcomes

            def put_back(arguments: Any, removed: List[Any]) -> None:
                for item in removed:
                    store.create(None, item)
                if floor:
                    store.reset_order()
            return ((lambda count: calls(operation, count, floor)), timed,
                    put_back if operation == 'delete_by_id' else no_clean_up,
                    min(200, size // 4) if operation in ('create', 'delete_by_id') else 10 ** 5)

        if self.library != '3.2.3':  # 3.2.3 loads plain dicts, on which its by-id operations fail
            stores['file'] = self.file_persistence(self.saved_file('operations', shape)[0], Item if shape == 'objects' else None)
        for operation in OPERATIONS:
            self.measure(operation, shape, lambda: {
                '%s %s' % (operation, name): value for name, value in time_interleaved(
                    {name: contender(operation, store) for name, store in stores.items()
                     if name != 'file' or operation == 'get_one_by_id'}, self.timing).items()})

    def writes(self, shape: str) -> None:
        """One write of each kind on a file persistence of N items, beside the I/O floor writing a
        copy of that file's bytes."""
        path, items = self.saved_file('writes', shape)
        persistence = self.file_persistence(path, Item if shape == 'objects' else None)
        rng, numbers, stored_ids = random.Random(self.seed + 2), iter(range(self.size, 10 ** 9)), [id_of(item) for item in items]

        def calls(write: str, count: int) -> List[tuple]:
            sync_disks()
            if write == 'create':
                created = [shaped(make_fields(rng, next(numbers)), shape) for _ in range(count)]
                stored_ids.extend(id_of(item) for item in created)
                return [(item,) for item in created]
            if write == 'delete_by_id':  # the store keeps its size: as many deletes as creates
                return [(stored_ids.pop(rng.randrange(len(stored_ids))),) for _ in range(count)]
            if write == 'update_partially':
                return [(rng.choice(stored_ids), {'content': 'Edited %d' % next(numbers)}) for _ in range(count)]
            return [(shaped(make_fields(rng, next(numbers), rng.choice(stored_ids)), shape),) for _ in range(count)]

        def contender(write: str) -> Contender:
            def timed(arguments: List[tuple]) -> None:
                for call in arguments:
                    if getattr(persistence, write)(None, *call) is None:
                        raise RuntimeError('%s returned None for a stored id' % write)
            return (lambda count: calls(write, count)), timed, no_clean_up, 50

        def file_bytes(count: int) -> List[bytes]:
            sync_disks()
            with open(path, 'rb') as file:
                return [file.read()] * count

        def io_floor(contents: List[bytes]) -> None:
            for content in contents:
                write_atomically(os.path.join(self.directory, 'io-floor.bin'), content)
        contenders = {'floor': (file_bytes, io_floor, no_clean_up, 50), **{write: contender(write) for write in WRITES}}
        self.measure('writes', shape, lambda: dict(time_interleaved(contenders, self.timing), **{
            'file bytes': os.path.getsize(path)}))

    def open(self, shape: str) -> None:
        """Opening a file the library wrote from items of ``shape``, beside reading it with
        ``json.loads`` and building a dict keyed by id."""
        path = self.saved_file('open', shape)[0]
        opened: List[Any] = []

        def floor(count: int) -> None:
            for _ in range(count):
                with open(path, 'rb') as file:
                    opened.append({item['id']: item for item in json.loads(file.read())})

        def library(item_type: Optional[type]) -> Callable[[int], None]:
            return lambda count: opened.extend(self.file_persistence(path, item_type) for _ in range(count))

        def forget(arguments: Any, outcome: Any) -> None:
            opened.clear()
        def count_only(count: int) -> int:
            return count
        contenders = {'floor': (count_only, floor, forget, 1), 'without item_type': (count_only, library(None), forget, 1)}
        if self.library != '3.2.3':  # which has no item_type
            contenders['with item_type'] = (count_only, library(Item), forget, 1)
        self.measure('open', shape, lambda: time_interleaved(contenders, self.timing))

    def concurrency(self, shape: str) -> None:
        """The same number of updates on one file persistence from one thread, then from THREADS."""
        path, items = self.saved_file('concurrency', shape)
        persistence = self.file_persistence(path, Item if shape == 'objects' else None)
        rng, ids = random.Random(self.seed + 3), [id_of(item) for item in items]

        def updates(count: int) -> List[Any]:
            return [shaped(make_fields(rng, number, rng.choice(ids)), shape) for number in range(self.concurrent_writes)]

        def update(item: Any) -> None:
            if persistence.update(None, item) is None:
                raise RuntimeError('update returned None for a stored id')

        def threads(count: int) -> Callable[[List[Any]], None]:
            def timed(batch: List[Any]) -> None:
                with ThreadPoolExecutor(count) as pool:
                    for _ in pool.map(update, batch):  # raises what a thread raised
                        pass
            return timed
        self.measure('concurrency', shape, lambda: {name: value / self.concurrent_writes for name, value in time_interleaved(
            {'1 thread': (updates, threads(1), no_clean_up, 1),
             '%d threads' % THREADS: (updates, threads(THREADS), no_clean_up, 1)}, self.timing).items()})


def worker_main(job: dict) -> int:
    if job['library'] == 'ours':
        sys.path.insert(0, REPO_ROOT)
    worker = Worker(job)
    answer: Dict[str, Any] = {}
    try:
        import pip_services3_data
        answer['library'] = {'path': os.path.dirname(os.path.abspath(pip_services3_data.__file__ or '')),
                             'commons': metadata.version('pip_services3_commons')}
        # 3.2.3 loads files as plain dicts, on which its writes by id fail.
        if not (job['library'] == '3.2.3' and job['section'] in ('writes', 'concurrency')):
            for shape in SHAPES:
                getattr(worker, job['section'])(shape)
    except Exception:
        worker.errors.append(traceback.format_exc())
    sys.stdout.write(RESULT_MARKER + json.dumps(dict(answer, records=worker.records, errors=worker.errors)) + '\n')
    return 1 if worker.errors else 0


# --- Runner: environments, workers, report --------------------------------------------------------

def log(message: str) -> None:
    sys.stderr.write(message + '\n')
    sys.stderr.flush()


def release_python(version: str) -> str:
    folder = os.path.join(BENCHMARKS_DIR, '.venv-' + version)
    return os.path.join(folder, 'Scripts', 'python.exe') if os.name == 'nt' else os.path.join(folder, 'bin', 'python')


def release_installed(version: str) -> bool:
    """The release imports from its own virtualenv (never from this checkout)."""
    check = 'import importlib.metadata as m, pip_services3_data as p; print(m.version("pip-services3-data"), p.__file__)'
    if not os.path.exists(release_python(version)):
        return False
    completed = subprocess.run([release_python(version), '-c', check], capture_output=True, text=True,
                               cwd=tempfile.gettempdir())
    found, _, location = completed.stdout.strip().partition(' ')
    return found == version and os.path.realpath(location).startswith(os.path.realpath(BENCHMARKS_DIR))


def set_up_release(version: str, quick: bool) -> Optional[str]:
    """Makes the release's virtualenv when it is missing; returns None when ready, else why not."""
    if release_installed(version):
        return None
    log('Setting up benchmarks/.venv-%s ...' % version)
    # The commons and components this library runs with, so that only pip_services3_data differs.
    pins = ['%s==%s' % (name, metadata.version(name)) for name in ('pip_services3_commons', 'pip_services3_components')]
    with tempfile.TemporaryDirectory() as source:
        try:
            requirement = RELEASES[version]
            if version == '3.3.0':
                archive = subprocess.run(['git', '-C', REPO_ROOT, 'archive', '--format=tar', requirement],
                                         capture_output=True, check=True).stdout
                with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                    tar.extractall(source, **({'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}))
                requirement = source
            subprocess.run([sys.executable, '-m', 'venv', '--clear', os.path.join(BENCHMARKS_DIR, '.venv-' + version)],
                           check=True, capture_output=True)
            patience = ['--timeout', '10', '--retries', '1'] if quick else []  # a quick run without network goes on
            subprocess.run([release_python(version), '-m', 'pip', 'install', '--quiet', *patience, requirement, *pins],
                           check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError, tarfile.TarError) as error:
            details = (getattr(error, 'stderr', None) or str(error).encode()).decode(errors='replace').strip()
            return 'could not set up %s: %s' % (version, details.splitlines()[-1] if details else error)
    return None if release_installed(version) else '%s does not import from its virtualenv' % version


def run_worker(job: dict, verbose: bool) -> dict:
    python = sys.executable if job['library'] == 'ours' else release_python(job['library'])
    # In a temporary directory, so that a release's worker cannot import this checkout.
    completed = subprocess.run([python, os.path.abspath(__file__), '--worker', json.dumps(job)],
                               capture_output=True, text=True, cwd=tempfile.gettempdir())
    if verbose:
        sys.stderr.write(completed.stderr)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    return {'records': [], 'errors': ['worker exited with %d: %s' % (completed.returncode, completed.stderr[-2000:])]}


class Results:
    """Values by (library, section, size, shape, name): µs per call or bytes, the median over passes."""

    def __init__(self) -> None:
        self.values: Dict[Tuple, List[float]] = {}
        self.libraries: Dict[str, dict] = {}
        self.failures: List[str] = []

    def add(self, library: str, section: str, answer: dict) -> None:
        self.libraries.setdefault(library, answer.get('library', {}))
        for size, shape, name, value in answer['records']:
            self.values.setdefault((library, section, size, shape, name), []).append(value)
        for error in answer['errors']:
            lines = [line for line in error.strip().splitlines() if line.strip()]
            self.failures.append('%s, %s: %s … %s' % (TITLES[library], section, lines[0], lines[-1]))

    def get(self, library: str, section: str, size: int, shape: str, name: str) -> Optional[float]:
        values = self.values.get((library, section, size, shape, name))
        return statistics.median(values) if values else None

    def ratio(self, section: str, size: int, shape: str, name: str, versus: str, library: str = 'ours') -> Optional[float]:
        """``name`` of this library over ``versus``: a floor's name, or a release measuring ``name``."""
        if versus in RELEASES:
            return divide(self.get(library, section, size, shape, name), self.get(versus, section, size, shape, name))
        return divide(self.get(library, section, size, shape, name), self.get(library, section, size, shape, versus))


def divide(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    return None if numerator is None or not denominator else numerator / denominator


def number(value: Optional[float], scale: float = 1.0) -> str:
    if value is None:
        return 'n/a'
    value *= scale
    return '%.2f' % value if value < 10 else '%.1f' % value if value < 1000 else '{:,.0f}'.format(value)


def times(value: Optional[float]) -> str:
    return 'n/a' if value is None else '%.2f×' % value


def table(header: List[str], rows: List[List[str]], labels: int) -> List[str]:
    return ['| %s |' % ' | '.join(header), '|' + '---|' * labels + '---:|' * (len(header) - labels)] + \
        ['| %s |' % ' | '.join(row) for row in rows] + ['']


def measured(results: Results, section: str, size: int, shape: str, name: str, floors: List[str],
             releases: List[str], scale: float = 1.0) -> List[str]:
    """Cells: the floors, this library and the releases, then this library over each of them."""
    return ([number(results.get('ours', section, size, shape, floor), scale) for floor in floors]
            + [number(results.get(library, section, size, shape, name), scale) for library in ['ours'] + releases]
            + [times(results.ratio(section, size, shape, name, versus)) for versus in floors + releases])


def verdicts(results: Results, sizes: Dict[str, List[int]], judged: bool) -> List[str]:
    lines = []

    def verdict(label: str, value: Optional[float], limit: float, versus: str, at_least: bool = False) -> None:
        met = value is not None and (value >= limit if at_least else value <= limit)
        word = 'SKIP' if value is None else ('PASS' if met else 'FAIL') if judged else 'INFO'
        lines.append('%s  %s: %s %s (target %s %s×)' % (word, label, times(value), versus, '≥' if at_least else '≤', limit))

    n = sizes['operations'][0]
    for shape in SHAPES:
        for operation, limit in [('get_one_by_id', 10), ('update', 10), ('update_partially', 10), ('delete_by_id', 2),
                                 ('get_page_by_filter', 2), ('get_list_by_filter', 2)]:
            verdict('%s [%s]' % (operation, shape), results.ratio('operations', n, shape, operation + ' library', operation + ' floor'),
                    limit, 'order-preserving floor' if operation == 'delete_by_id' else 'floor')
        for operation, limit in [('get_one_by_id', 2), ('create', 2.5)]:
            verdict('%s [%s]' % (operation, shape), results.ratio(
                'operations', n, shape, operation + ' library', operation + ' copy floor'), limit, 'copy floor')
        verdict('peak memory [%s]' % shape, results.ratio('memory', sizes['memory'][0], shape, 'library', 'floor'), 1.5, 'floor')
        for size in sizes['writes']:
            for write in WRITES:
                verdict('file %s [%s] N=%s' % (write, shape, '{:,}'.format(size)),
                        results.ratio('writes', size, shape, write, 'floor'), 1.5, 'I/O floor')
        for item_type in ('with item_type', 'without item_type'):
            verdict('open file written from %s, %s' % (shape, item_type),
                    results.ratio('open', sizes['open'][0], shape, item_type, 'floor'), 1.3, 'json.loads + index')
        verdict('%d writer threads [%s]' % (THREADS, shape), results.ratio('concurrency', sizes['concurrency'][0], shape,
                                                                           '1 thread', '%d threads' % THREADS), 3, 'one thread', True)
        verdict('file persistence get_one_by_id [%s]' % shape, results.ratio(
            'operations', n, shape, 'get_one_by_id file', 'get_one_by_id library'), 1.3, 'memory persistence')
        for write in WRITES:
            verdict('file %s [%s] N=1,000' % (write, shape), results.ratio('writes', 1000, shape, write, '3.3.0'), 1.05, '3.3.0')
    return lines


def report(results: Results, settings: dict, libraries: List[str], judged: bool) -> List[str]:
    sizes, releases = settings['sizes'], [library for library in libraries if library != 'ours']
    file_releases = [release for release in releases if release != '3.2.3']
    titles = [TITLES[library] for library in ['ours'] + releases]
    lines = ['## Targets', '', '```'] + verdicts(results, sizes, judged) + ['```', '']

    n, rows = sizes['operations'][0], []
    for shape in SHAPES:
        for operation in OPERATIONS:
            rows.append([operation, shape] + measured(results, 'operations', n, shape, operation + ' library',
                                                      [operation + ' floor', operation + ' copy floor'], releases))
        rows.append(['get_one_by_id, file persistence', shape] + measured(
            results, 'operations', n, shape, 'get_one_by_id file', ['get_one_by_id floor', 'get_one_by_id copy floor'], releases))
    lines += ['## In memory, N = {:,}: µs per call'.format(n), ''] + table(
        ['operation', 'items', 'floor', 'copy floor'] + titles + ['÷ floor', '÷ copy floor'] + ['÷ ' + r for r in releases], rows, 2)

    n = sizes['memory'][0]
    rows = [[shape] + measured(results, 'memory', n, shape, 'library', ['floor'], releases, 1e5 / n / 2 ** 20) for shape in SHAPES]
    lines += ['## Peak memory while N = {:,} creates fill a store: MiB per 100,000 items'.format(n), ''] + table(
        ['items', 'floor'] + titles + ['÷ floor'] + ['÷ ' + r for r in releases], rows, 1)

    rows = [['{:,}'.format(size), shape, write, number(results.get('ours', 'writes', size, shape, 'file bytes'), 1 / 1024)]
            + measured(results, 'writes', size, shape, write, ['floor'], file_releases, 1e-3)
            for size in sizes['writes'] for shape in SHAPES for write in WRITES]
    lines += ['## File writes: ms per write', ''] + table(
        ['N', 'items', 'write', 'file KiB', 'I/O floor', TITLES['ours']] + file_releases + ['÷ I/O floor']
        + ['÷ ' + r for r in file_releases], rows, 3)

    n = sizes['open'][0]
    rows = [[shape, item_type] + measured(results, 'open', n, shape, item_type, ['floor'], releases, 1e-3)
            for shape in SHAPES for item_type in ('with item_type', 'without item_type')]
    lines += ['## Open, N = {:,}: ms'.format(n), ''] + table(
        ['file written from', 'item_type', 'json.loads + index'] + titles + ['÷ floor'] + ['÷ ' + r for r in releases], rows, 2)

    n = sizes['concurrency'][0]
    rows = [[TITLES[library], shape] + [number(divide(1e6, results.get(library, 'concurrency', n, shape, name)))
                                        for name in ('1 thread', '%d threads' % THREADS)]
            + [times(results.ratio('concurrency', n, shape, '1 thread', '%d threads' % THREADS, library))]
            for shape in SHAPES for library in ['ours'] + file_releases]
    lines += ['## Concurrent writers: updates on one file persistence of N = {:,} items'.format(n), ''] + table(
        ['library', 'items', '1 thread: writes/s', '%d threads: writes/s' % THREADS, 'speed-up'], rows, 2)
    if results.failures:
        lines += ['## Failures', ''] + ['- ' + failure for failure in results.failures] + ['']
    return lines


def machine(directory: str) -> List[str]:
    cpu = platform.processor() or 'unknown'
    if os.path.exists('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as cpuinfo:
            cpu = next((line.split(':', 1)[1].strip() for line in cpuinfo if line.startswith('model name')), cpu)
    load = ' / '.join('%.2f' % value for value in os.getloadavg()) if hasattr(os, 'getloadavg') else 'unknown'
    rows = [('Date', datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')), ('Platform', platform.platform()),
            ('CPU', '%s, %s logical cores' % (cpu, os.cpu_count())), ('Python', platform.python_version()),
            ('Load average at start (1/5/15 min)', load), ('Files written in', directory)]
    return ['| | |', '|---|---|'] + ['| %s | %s |' % row for row in rows]


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='N = 1,000, few batches: a smoke run, targets not judged')
    parser.add_argument('--output', default=os.path.join(BENCHMARKS_DIR, 'RESULTS.md'), help='where the report goes')
    parser.add_argument('--libraries', default='ours,3.3.0,3.2.3', help='any of ours,3.3.0,3.2.3')
    parser.add_argument('--sections', default=','.join(SECTIONS), help='any of ' + ','.join(SECTIONS))
    parser.add_argument('--json', metavar='PATH', help='also write every measurement as JSON')
    parser.add_argument('--verbose', action='store_true', help="show the workers' stderr")
    arguments = parser.parse_args(argv)
    libraries, sections = arguments.libraries.split(','), arguments.sections.split(',')
    if set(libraries) - set(TITLES) or set(sections) - set(SECTIONS):
        parser.error('unknown library or section')
    settings, notes = QUICK if arguments.quick else FULL, []
    for release in [library for library in libraries if library in RELEASES]:
        problem = set_up_release(release, arguments.quick)
        if problem and not arguments.quick:
            log('%s\n(leave it out of --libraries to run without it)' % problem)
            return 2
        if problem:
            libraries.remove(release)
            notes.append('%s is not measured: %s' % (release, problem))
    directory = tempfile.mkdtemp(prefix='pip-data-bench-')
    lines = ['# Benchmark results', '', 'Produced by `python benchmarks/run.py%s`; see [README.md](README.md) for the '
             'method. Times are medians over batches, lower is better.' % ''.join(' ' + arg for arg in argv), '',
             '## Machine', ''] + machine(directory)
    results = Results()
    try:
        for section in sections:
            for size in settings['sizes'][section]:
                for _ in range(settings['timing'][section]['passes']):
                    for library in libraries:
                        log('{}, N={:,}: {} ...'.format(section, size, TITLES[library]))
                        job = dict(library=library, section=section, size=size, settings=settings, seed=20240401,
                                   directory=directory)
                        results.add(library, section, run_worker(job, arguments.verbose))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    lines.append('| Libraries | %s |' % '; '.join('%s: %s (commons %s)' % (TITLES[library], about.get('path'), about.get('commons'))
                                                   for library, about in results.libraries.items()))
    notes.append('3.2.3 turns dicts into classes, so its dict rows store classes and its filters read `item.key`. It loads '
                 'files as plain dicts, on which its by-id operations fail: it has no rows for file writes, file reads '
                 'and concurrency, and no `item_type`.')
    lines += ['', '## Notes', ''] + ['- ' + note for note in notes] + [''] + report(results, settings, libraries, not arguments.quick)
    text = '\n'.join(lines)
    print(text)
    with open(arguments.output, 'w', encoding='utf-8') as output:
        output.write(text)
    if arguments.json:
        with open(arguments.json, 'w', encoding='utf-8') as output:
            json.dump([list(key) + [values] for key, values in results.values.items()], output)
    if any(failure.startswith(TITLES['ours'] + ',') for failure in results.failures):
        log('Some measurements of this library crashed: see Failures in the report.')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(worker_main(json.loads(sys.argv[2])) if sys.argv[1:2] == ['--worker'] else main(sys.argv[1:]))
