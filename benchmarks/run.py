"""Benchmark of pip_services3_data beside its floors and the releases 3.3.0 and 3.2.3.

    python benchmarks/run.py                          # full run, about 7 minutes on 2 cores
    python benchmarks/run.py --quick --output r.md    # smoke run for CI: N = 1,000, targets not judged
    python benchmarks/run.py --sections writes,open --releases 3.3.0

Workers (this script with ``--worker``) do the timing; the floors run in the same worker as
the library, their batches taking turns with its. The releases come from virtualenvs made on
first use: ``benchmarks/.venv-3.3.0`` from commit 3fb39ee of this repository, timed in this
library's worker under another import name, and ``benchmarks/.venv-3.2.3`` from PyPI, timed in
a worker of its own. Exit status: 0 when every measurement of this library ran, 1 when one
crashed, 2 when a release cannot be set up in a full run (``--quick`` goes on without it). A
missed target is a FAIL line, never a failing status. README.md here explains the method.
"""

import argparse
import datetime
import gc
import importlib
import importlib.util
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
# create comes last: the items it adds stay, so the store grows by a few batches.
OPERATIONS = ['get_one_by_id', 'get_page_by_filter', 'get_list_by_filter', 'update', 'update_partially',
              'delete_by_id', 'create']
WRITES = ['create', 'set', 'update', 'update_partially', 'delete_by_id']
ITEM_TYPES = ['with item_type', 'without item_type']
THREADS = 8
#: How each release is installed: 3.3.0 from its commit in this repository, 3.2.3 from PyPI.
RELEASES = {'3.3.0': '3fb39ee94c129216634f8540fcb5c7042c8d5d25', '3.2.3': 'pip-services3-data==3.2.3'}
TITLES = {'ours': 'this library', '3.3.0': '3.3.0', '3.2.3': '3.2.3'}
SECTIONS = ['memory', 'operations', 'writes', 'open', 'concurrency']


def timing(rounds: int, min_rounds: int, batch_seconds: float, budget_seconds: float) -> dict:
    return dict(rounds=rounds, min_rounds=min_rounds, batch_seconds=batch_seconds, budget_seconds=budget_seconds)


FULL = {'sizes': {'memory': [100_000], 'operations': [100_000], 'writes': [1_000, 10_000, 100_000],
                  'open': [100_000], 'concurrency': [10_000]},
        'timing': {'memory': {}, 'operations': timing(30, 5, 0.01, 1.0), 'writes': timing(100, 5, 0, 1.0),
                   'open': timing(7, 5, 0, 2.0), 'concurrency': timing(5, 3, 0, 2.0)},
        'concurrent_writes': 8 * THREADS}
QUICK = {'sizes': {section: [1_000] for section in SECTIONS},
         'timing': {section: timing(3, 2, 0.004, 0.1) for section in SECTIONS}, 'concurrent_writes': THREADS}


# --- Items: the same for every library, from one seed -----------------------------------------

class Item:
    """The object shape: a plain class with attributes, as services define their items."""

    def __init__(self, id: str, key: str, content: str, details: dict):
        self.id, self.key, self.content, self.details = id, key, content, details


def make_fields(rng: random.Random, number: int, item_id: Optional[str] = None) -> dict:
    owner, words = rng.randrange(10_000), ['order', 'invoice', 'parcel', 'refund', 'ticket', 'payment']
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


# --- Floors -----------------------------------------------------------------------------------

def copy_object(item: Item) -> Item:
    """The fastest correct copy of an object item we found (calling ``__init__`` is slower)."""
    copied, details = Item.__new__(Item), item.details
    copied.id, copied.key, copied.content = item.id, item.key, item.content
    copied.details = {'tags': details['tags'][:], 'rank': details['rank'], 'owner': details['owner'].copy()}
    return copied


def copy_dict(item: dict) -> dict:
    copied, details = item.copy(), item['details']
    copied['details'] = {'tags': details['tags'][:], 'rank': details['rank'], 'owner': details['owner'].copy()}
    return copied


class FloorStore:
    """The bare floor: a dict keyed by id that keeps and returns the callers' own items, called
    like the library. ``delete_by_id`` also closes the gap in a list of the ids in insertion
    order, as the library keeps its items in order; keeping that list's positions in step is
    the library's work, not the floor's."""

    def __init__(self) -> None:
        self.items_by_id: Dict[str, Any] = {}
        self.original_order: List[str] = []
        self.position_by_id: Dict[str, int] = {}
        self.ordered_ids: List[str] = []

    def fix_order(self) -> None:
        self.original_order = list(self.items_by_id)
        self.position_by_id = {item_id: position for position, item_id in enumerate(self.original_order)}
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


# --- Timing -----------------------------------------------------------------------------------

#: prepare(count) -> arguments; timed(arguments) -> outcome; clean_up(arguments, outcome)
Contender = Tuple[Callable[[int], Any], Callable[[Any], Any], Callable[[Any, Any], None]]


def no_clean_up(arguments: Any, outcome: Any) -> None:
    pass


def time_interleaved(contenders: Dict[Tuple[str, str], Contender], settings: dict, batch: Optional[int],
                     spreads: Dict[Tuple[str, str], float]) -> Dict[Tuple[str, str], float]:
    """Median µs per call of each contender over batches, the contenders taking turns.

    Each contender first makes two single calls: one warms up (lazy set-up, caches), one sizes
    its batch to about ``batch_seconds`` unless ``batch`` fixes it. Then each round runs one
    batch of every contender, in reverse order every other round, for ``rounds`` rounds, or
    fewer (not below ``min_rounds``) once ``budget_seconds`` per contender are spent. Arguments
    are made and cleaned up off the clock; ``spreads`` receives each contender's interquartile
    range over its median. GC stays on, as users run it; a full collection
    before each batch keeps the garbage of one batch from being charged to the next, and
    ``gc.freeze`` keeps that collection from walking the whole of every store each time.
    """
    batches = {}
    for key, (prepare, timed, clean_up) in contenders.items():
        for _ in range(2):
            arguments = prepare(1)
            started = time.perf_counter()
            clean_up(arguments, timed(arguments))
            single = max(time.perf_counter() - started, 1e-9)
        batches[key] = batch or max(1, int(settings['batch_seconds'] / single))
    samples: Dict[Tuple[str, str], List[float]] = {key: [] for key in contenders}
    gc.collect()
    gc.freeze()  # what exists now (the stores) is left out of the collections before each batch
    budget_start = time.perf_counter()
    try:
        for round_number in range(settings['rounds']):
            for key in list(contenders)[::1 if round_number % 2 == 0 else -1]:
                prepare, timed, clean_up = contenders[key]
                arguments = prepare(batches[key])
                gc.collect()
                started = time.perf_counter()
                outcome = timed(arguments)
                samples[key].append((time.perf_counter() - started) / batches[key])
                clean_up(arguments, outcome)
            spent = time.perf_counter() - budget_start
            if round_number + 1 >= settings['min_rounds'] and spent > settings['budget_seconds'] * len(contenders):
                break
    finally:
        gc.unfreeze()
    for key, values in samples.items():  # the interquartile range over the median, to flag noise
        quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
        spreads[key] = (quartiles[2] - quartiles[0]) / statistics.median(values)
    return {key: statistics.median(values) * 1e6 for key, values in samples.items()}


def checked(method: Callable[..., Any]) -> Callable[[List[tuple]], List[Any]]:
    """Calls ``method(None, *call)`` for each call of a batch; None would mean a wrong benchmark."""
    def timed(calls: List[tuple]) -> List[Any]:
        outcomes = [method(None, *call) for call in calls]
        if None in outcomes:
            raise RuntimeError('%s returned None for a stored id' % method.__name__)
        return outcomes
    return timed


def sync_disks() -> None:
    """Flushes dirty pages, so that no batch of file writes pays for the writeback of earlier ones."""
    if hasattr(os, 'sync'):
        os.sync()


# --- Worker: one section at one size, for one library and the releases timed beside it ---------

def import_release(version: str, folder: str) -> Any:
    """The ``persistence`` package of a release installed in ``folder``, imported under another
    name so that it can be timed in one process beside this checkout's ``pip_services3_data``
    (the modules of 3.3.0 import one another only relatively)."""
    name = 'pip_services3_data_' + version.replace('.', '_')
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, '__init__.py'),
                                                  submodule_search_locations=[folder])
    sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[name])
    return importlib.import_module(name + '.persistence')


class Worker:
    """Each section measures every library in ``libraries`` (this checkout and 3.3.0, or 3.2.3
    alone), and the floors, all interleaved, for one item shape. Floors are keyed by the first
    library, whose worker this is."""

    def __init__(self, job: dict, libraries: Dict[str, Any]) -> None:
        self.libraries, self.main = libraries, job['library']
        self.size, self.seed, self.directory, self.reverse = job['size'], job['seed'], job['directory'], job['reverse']
        self.timing = job['settings']['timing'][job['section']]
        self.concurrent_writes = job['settings']['concurrent_writes']
        self.errors: List[str] = []
        self.spreads: Dict[Tuple[str, str], float] = {}

    def file_persistence(self, library: str, shape: str, name: str) -> Tuple[Any, List[Any], str]:
        """An opened file persistence of ``library`` on a file of N items that it wrote itself,
        the items, and the file's path."""
        persistence, items = self.libraries[library], make_items(self.size, shape, self.seed)
        path = os.path.join(self.directory, '%s-%s-%s.json' % (name, library, shape))
        persistence.JsonFilePersister(path).save(None, items)
        opened = persistence.IdentifiableFilePersistence(persistence.JsonFilePersister(path, Item)
                                                         if shape == 'objects' else persistence.JsonFilePersister(path))
        opened.open(None)
        return opened, items, path

    def memory(self, shape: str) -> Dict[Tuple[str, str], float]:
        """Peak traced bytes while N creates fill a store, each item made right before it is
        handed over and not kept by the caller, as in a service."""
        def peak(store: Any) -> float:
            rng = random.Random(self.seed)
            gc.collect()
            tracemalloc.start()
            for number in range(self.size):
                store.create(None, shaped(make_fields(rng, number), shape))
            peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak_bytes
        peaks = {(self.main, 'floor'): peak(FloorStore())}
        for library, persistence in self.libraries.items():
            peaks[library, 'library'] = peak(persistence.IdentifiableMemoryPersistence())
        return peaks

    def operations(self, shape: str) -> Dict[Tuple[str, str], float]:
        """The in-memory operations beside the two floors; get_one_by_id also on a file
        persistence of the same items, for what reading through a file persistence costs."""
        from pip_services3_commons.data import PagingParams
        size, rng, numbers = self.size, random.Random(self.seed + 1), iter(range(self.size, 10 ** 9))

        def filled(store: Any) -> Any:
            for item in make_items(size, shape, self.seed):
                store.create(None, item)
            if isinstance(store, FloorStore):
                store.fix_order()
            return store
        # A store built later fills holes that earlier ones left, and is slower to scan (filters
        # over 100,000 items are bound by memory access): the floors come first, in fresh memory,
        # and the libraries swap places when ``reverse`` is set.
        libraries = list(self.libraries)[::-1] if self.reverse else list(self.libraries)
        stores = {(self.main, 'floor'): filled(FloorStore()),
                  (self.main, 'copy floor'): filled(CopyFloorStore(copy_object if shape == 'objects' else copy_dict))}
        for library in libraries:
            stores[library, 'memory'] = filled(self.libraries[library].IdentifiableMemoryPersistence())
        for library in libraries:
            if library != '3.2.3':  # which loads plain dicts, on which its by-id operations fail
                stores[library, 'file'] = self.file_persistence(library, shape, 'operations')[0]
        ids = list(stores[self.main, 'floor'].items_by_id)

        def key_filter(by_attribute: bool) -> Callable[[Any], bool]:
            key = 'key-%02d' % rng.randrange(100)
            if by_attribute:
                return lambda item: item.key == key
            return lambda item: item['key'] == key

        def calls(operation: str, count: int, by_attribute: bool) -> List[tuple]:
            random_ids = [ids[rng.randrange(size)] for _ in range(count)]
            if operation == 'get_one_by_id':
                return [(item_id,) for item_id in random_ids]
            if operation == 'get_page_by_filter':
                return [(key_filter(by_attribute), PagingParams(0, 100)) for _ in range(count)]
            if operation == 'get_list_by_filter':
                return [(key_filter(by_attribute),) for _ in range(count)]
            if operation == 'update':
                return [(shaped(make_fields(rng, next(numbers), item_id), shape),) for item_id in random_ids]
            if operation == 'update_partially':
                return [(item_id, {'content': 'Edited %d' % next(numbers)}) for item_id in random_ids]
            if operation == 'delete_by_id':  # distinct ids, at positions that stay valid for the floor's del
                return [(ids[position],) for position in rng.sample(range(size - count), count)]
            return [(shaped(make_fields(rng, next(numbers)), shape),) for _ in range(count)]

        def contender(operation: str, library: str, store: Any) -> Contender:
            # 3.2.3 turns the dicts it is given into classes, on which only attribute access works.
            by_attribute = shape == 'objects' or (library == '3.2.3' and not isinstance(store, FloorStore))

            def put_back(arguments: Any, removed: List[Any]) -> None:
                for item in removed:
                    store.create(None, item)
                if isinstance(store, FloorStore):
                    store.ordered_ids = list(store.original_order)
            return ((lambda count: calls(operation, count, by_attribute)), checked(getattr(store, operation)),
                    put_back if operation == 'delete_by_id' else no_clean_up)

        results = {}
        for operation in OPERATIONS:
            contenders = {(library, operation + ' ' + kind): contender(operation, library, store)
                          for (library, kind), store in stores.items()
                          if kind != 'file' or operation == 'get_one_by_id'}
            try:
                batch = min(200, size // 4) if operation in ('create', 'delete_by_id') else None
                results.update(time_interleaved(contenders, self.timing, batch, self.spreads))
            except Exception:
                self.errors.append('%s %s: %s' % (operation, shape, traceback.format_exc()))
        return results

    def writes(self, shape: str) -> Dict[Tuple[str, str], float]:
        """One write of each kind on a file persistence of N items, beside the I/O floor writing
        the bytes of this library's file. One call per batch: deletes take as many items as
        creates add, so the stores keep their size."""
        rng, numbers = random.Random(self.seed + 2), iter(range(self.size, 10 ** 9))

        def library_contenders(persistence: Any, items: List[Any]) -> Dict[str, Contender]:
            stored_ids = [id_of(item) for item in items]

            def calls(write: str, count: int) -> List[tuple]:
                sync_disks()
                if write == 'create':
                    created = [shaped(make_fields(rng, next(numbers)), shape) for _ in range(count)]
                    stored_ids.extend(id_of(item) for item in created)
                    return [(item,) for item in created]
                if write == 'delete_by_id':
                    return [(stored_ids.pop(rng.randrange(len(stored_ids))),) for _ in range(count)]
                if write == 'update_partially':
                    return [(rng.choice(stored_ids), {'content': 'Edited %d' % next(numbers)}) for _ in range(count)]
                return [(shaped(make_fields(rng, next(numbers), rng.choice(stored_ids)), shape),) for _ in range(count)]
            return {write: ((lambda count, write=write: calls(write, count)), checked(getattr(persistence, write)),
                            no_clean_up) for write in WRITES}

        contenders, paths = {}, {}
        for library in self.libraries:
            persistence, items, paths[library] = self.file_persistence(library, shape, 'writes')
            contenders.update({(library, write): contender
                               for write, contender in library_contenders(persistence, items).items()})

        def file_bytes(count: int) -> List[bytes]:
            sync_disks()
            with open(paths[self.main], 'rb') as file:
                return [file.read()] * count

        def io_floor(contents: List[bytes]) -> None:
            for content in contents:
                write_atomically(os.path.join(self.directory, 'io-floor.bin'), content)
        contenders[self.main, 'floor'] = (file_bytes, io_floor, no_clean_up)
        results = time_interleaved(contenders, self.timing, 1, self.spreads)
        results[self.main, 'file bytes'] = os.path.getsize(paths[self.main])
        return results

    def open(self, shape: str) -> Dict[Tuple[str, str], float]:
        """Opening a file that the library wrote from items of ``shape``, beside reading that file
        with ``json.loads`` and building a dict keyed by id."""
        opened: List[Any] = []
        path = os.path.join(self.directory, 'open-%s.json' % shape)
        self.libraries[self.main].JsonFilePersister(path).save(None, make_items(self.size, shape, self.seed))

        def floor(count: int) -> None:
            for _ in range(count):
                with open(path, 'rb') as file:
                    opened.append({item['id']: item for item in json.loads(file.read())})

        def library(persistence: Any, item_type: Optional[type]) -> Callable[[int], None]:
            def timed(count: int) -> None:
                for _ in range(count):
                    persister = persistence.JsonFilePersister(path, item_type) if item_type else \
                        persistence.JsonFilePersister(path)
                    opened.append(persistence.IdentifiableFilePersistence(persister))
                    opened[-1].open(None)
            return timed
        timed_calls = {(self.main, 'floor'): floor}
        for name, persistence in self.libraries.items():
            timed_calls[name, 'without item_type'] = library(persistence, None)
            if name != '3.2.3':  # which has no item_type
                timed_calls[name, 'with item_type'] = library(persistence, Item)
        return time_interleaved({key: ((lambda count: count), timed, lambda *_: opened.clear())
                                 for key, timed in timed_calls.items()}, self.timing, 1, self.spreads)

    def concurrency(self, shape: str) -> Dict[Tuple[str, str], float]:
        """Per update: a batch of updates on one file persistence made by one thread, then the
        same number spread over THREADS threads."""
        rng, contenders = random.Random(self.seed + 3), {}

        def threads(persistence: Any, ids: List[str], count: int) -> Contender:
            update = checked(persistence.update)

            def updates(batch: int) -> List[Any]:  # the same number whatever the number of threads
                return [shaped(make_fields(rng, number, rng.choice(ids)), shape)
                        for number in range(self.concurrent_writes)]

            def timed(items: List[Any]) -> None:
                list(pool.map(lambda item: update([(item,)]), items))  # raises what a thread raised
            # One pool for every batch: starting threads is not part of the writes' throughput.
            pool = ThreadPoolExecutor(count)
            return updates, timed, no_clean_up
        for library in self.libraries:
            persistence, items, _path = self.file_persistence(library, shape, 'concurrency')
            ids = [id_of(item) for item in items]
            contenders[library, '1 thread'] = threads(persistence, ids, 1)
            contenders[library, '%d threads' % THREADS] = threads(persistence, ids, THREADS)
        per_batch = time_interleaved(contenders, self.timing, 1, self.spreads)
        return {key: value / self.concurrent_writes for key, value in per_batch.items()}


def worker_main(job: dict) -> int:
    """Measures one section at one size and prints the medians as one JSON line."""
    answer: Dict[str, Any] = {'records': [], 'libraries': {}}
    errors = []
    try:
        if job['library'] == 'ours':
            sys.path.insert(0, REPO_ROOT)
        libraries = {job['library']: importlib.import_module('pip_services3_data.persistence')}
        libraries.update({version: import_release(version, folder) for version, folder in job['beside'].items()})
        answer['libraries'] = {name: os.path.dirname(os.path.dirname(os.path.abspath(module.__file__)))
                               for name, module in libraries.items()}
        answer['commons'] = metadata.version('pip_services3_commons')
        worker = Worker(job, libraries)
        for shape in SHAPES:
            try:
                measured = getattr(worker, job['section'])(shape)
                measured.update({(library, name + ' spread'): spread
                                 for (library, name), spread in worker.spreads.items()})
                answer['records'] += [[library, job['size'], shape, name, value]
                                      for (library, name), value in measured.items()]
            except Exception:
                errors.append('%s %s: %s' % (job['section'], shape, traceback.format_exc()))
            worker.spreads.clear()
            gc.collect()
        errors += worker.errors
    except Exception:
        errors.append(traceback.format_exc())
    sys.stdout.write(RESULT_MARKER + json.dumps(dict(answer, errors=errors)) + '\n')
    return 1 if errors else 0


# --- Runner: releases, workers, report --------------------------------------------------------

def log(message: str) -> None:
    sys.stderr.write(message + '\n')
    sys.stderr.flush()


def release_python(version: str) -> str:
    folder = os.path.join(BENCHMARKS_DIR, '.venv-' + version)
    return os.path.join(folder, 'Scripts', 'python.exe') if os.name == 'nt' else os.path.join(folder, 'bin', 'python')


def release_folder(version: str) -> Optional[str]:
    """Where the release's ``pip_services3_data`` is installed in its virtualenv, if it is."""
    if not os.path.exists(release_python(version)):
        return None
    check = ('import importlib.metadata as m, pip_services3_data as p; '
             'print(m.version("pip-services3-data"), p.__file__)')
    found = subprocess.run([release_python(version), '-c', check], capture_output=True, text=True,
                           cwd=tempfile.gettempdir()).stdout.split()
    inside = found[-1:] and os.path.realpath(found[-1]).startswith(os.path.realpath(BENCHMARKS_DIR))
    return os.path.dirname(found[-1]) if found[:1] == [version] and inside else None


def set_up_release(version: str, quick: bool) -> Optional[str]:
    """Makes the release's virtualenv when it is missing; returns None when it is ready, else why not."""
    if release_folder(version):
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
            patience = ['--timeout', '10', '--retries', '1'] if quick else []  # offline, a quick run goes on soon
            subprocess.run([release_python(version), '-m', 'pip', 'install', '--quiet', *patience, requirement, *pins],
                           check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError, tarfile.TarError) as error:
            output = getattr(error, 'stderr', None) or str(error).encode()
            details = [line.strip() for line in output.decode(errors='replace').splitlines() if line.strip()] or ['?']
            reason = next((line for line in details if line.startswith('ERROR')), details[-1])
            return 'could not set up %s: %s' % (version, reason)
    return None if release_folder(version) else '%s does not import from its virtualenv' % version


def run_worker(job: dict, verbose: bool) -> dict:
    python = sys.executable if job['library'] == 'ours' else release_python(job['library'])
    # From a temporary directory, so that a release's worker cannot import this checkout.
    completed = subprocess.run([python, os.path.abspath(__file__), '--worker', json.dumps(job)],
                               capture_output=True, text=True, cwd=tempfile.gettempdir())
    if verbose:
        sys.stderr.write(completed.stderr)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    return {'records': [], 'errors': ['worker exit status %d: %s' % (completed.returncode, completed.stderr[-2000:])]}


class Results:
    """Medians by (library, section, size, shape, name), µs per call or bytes; a value measured in
    both orders is the mean of the two."""

    def __init__(self) -> None:
        self.values: Dict[Tuple, List[float]] = {}
        self.libraries: Dict[str, str] = {}
        self.commons: Optional[str] = None
        self.failures: List[str] = []

    def add(self, worker: str, section: str, answer: dict) -> None:
        self.libraries.update(answer.get('libraries', {}))
        self.commons = answer.get('commons', self.commons)
        for library, size, shape, name, value in answer['records']:
            self.values.setdefault((library, section, size, shape, name), []).append(value)
        for error in answer['errors']:
            lines = [line for line in error.strip().splitlines() if line.strip()]
            self.failures.append('%s worker, %s: %s … %s' % (TITLES[worker], section, lines[0], lines[-1]))

    def get(self, library: str, section: str, size: int, shape: str, name: str) -> Optional[float]:
        values = self.values.get((library, section, size, shape, name))
        return statistics.mean(values) if values else None

    def ratio(self, section: str, size: int, shape: str, name: str, versus: str) -> Optional[float]:
        """This library's ``name`` over ``versus``: a release's ``name``, or this library's floor ``versus``."""
        denominator = self.get(versus, section, size, shape, name) if versus in RELEASES else \
            self.get('ours', section, size, shape, versus)
        numerator = self.get('ours', section, size, shape, name)
        return None if numerator is None or not denominator else numerator / denominator

    def noisy(self, section: str, size: int, shape: str, name: str, versus: str) -> bool:
        """Whether the batches of either side spread widely: quartiles more than 30% of the median apart."""
        spreads = [self.get('ours', section, size, shape, name + ' spread'),
                   self.get(versus if versus in RELEASES else 'ours', section, size, shape,
                            (name if versus in RELEASES else versus) + ' spread')]
        return any(spread is not None and spread > 0.3 for spread in spreads)


def number(value: Optional[float], scale: float = 1.0) -> str:
    if value is None:
        return 'n/a'
    value *= scale
    return '%.2f' % value if value < 10 else '%.1f' % value if value < 1000 else '{:,.0f}'.format(value)


def times(value: Optional[float]) -> str:
    return 'n/a' if value is None else '%.2f×' % value


def table(title: str, header: List[str], labels: int, rows: List[List[str]]) -> List[str]:
    alignment = '|' + '---|' * labels + '---:|' * (len(header) - labels)
    return ['## ' + title, '', '| %s |' % ' | '.join(header), alignment] \
        + ['| %s |' % ' | '.join(row) for row in rows] + ['']


def cells(results: Results, section: str, size: int, shape: str, name: str, floors: List[str], releases: List[str],
          scale: float = 1.0) -> List[str]:
    """The floors, this library and the releases, then this library over each of them."""
    return ([number(results.get('ours', section, size, shape, floor), scale) for floor in floors]
            + [number(results.get(library, section, size, shape, name), scale) for library in ['ours'] + releases]
            + [times(results.ratio(section, size, shape, name, versus)) for versus in floors + releases])


def verdicts(results: Results, sizes: Dict[str, List[int]], judged: bool) -> List[str]:
    """One line per target: PASS or FAIL when ``judged``, INFO otherwise, SKIP when not measured;
    "noisy" when the batches behind it spread widely (see ``Results.noisy``)."""
    lines = []

    def verdict(label: str, section: str, size: int, shape: str, names: List[Tuple[str, str]], title: str,
                limit: float, at_least: bool = False) -> None:
        ratios = [results.ratio(section, size, shape, name, versus) for name, versus in names]
        # Several (name, versus) pairs are judged together by their geometric mean.
        value = None if None in ratios else statistics.geometric_mean(ratios)
        met = value is not None and (value >= limit if at_least else value <= limit)
        word = 'SKIP' if value is None else ('PASS' if met else 'FAIL') if judged else 'INFO'
        noisy = any(results.noisy(section, size, shape, name, versus) for name, versus in names)
        lines.append('{}  {} [{}] N={:,}: {} {} (target {} {}×){}'.format(word, label, shape, size, times(value),
                                                                     title, '≥' if at_least else '≤', limit,
                                                                     ', noisy' if noisy else ''))

    operations, several = sizes['operations'][0], '%d threads' % THREADS
    for shape in SHAPES:
        for operation, limit in [('get_one_by_id', 10), ('update', 10), ('update_partially', 10), ('delete_by_id', 2),
                                 ('get_page_by_filter', 2), ('get_list_by_filter', 2)]:
            verdict(operation, 'operations', operations, shape, [(operation + ' memory', operation + ' floor')],
                    'order-preserving floor' if operation == 'delete_by_id' else 'floor', limit)
        for operation, limit in [('get_one_by_id', 2), ('create', 2.5)]:
            verdict(operation, 'operations', operations, shape, [(operation + ' memory', operation + ' copy floor')],
                    'copy floor', limit)
        verdict('peak memory', 'memory', sizes['memory'][0], shape, [('library', 'floor')], 'floor', 1.5)
        for size in sizes['writes']:
            for write in WRITES:
                verdict('file ' + write, 'writes', size, shape, [(write, 'floor')], 'I/O floor', 1.5)
        for item_type in ITEM_TYPES:
            verdict('open, ' + item_type, 'open', sizes['open'][0], shape, [(item_type, 'floor')],
                    'json.loads + index', 1.3)
        verdict('%d writer threads' % THREADS, 'concurrency', sizes['concurrency'][0], shape,
                [('1 thread', several)], 'one thread', 3, at_least=True)
        verdict('get_one_by_id, file persistence', 'operations', operations, shape,
                [('get_one_by_id file', 'get_one_by_id memory')], 'memory persistence', 1.3)
        # The five kinds together: one kind alone would judge mostly the disk's noise.
        verdict('file write, the five kinds', 'writes', 1000, shape, [(write, '3.3.0') for write in WRITES],
                '3.3.0', 1.05)
    return lines


def report(results: Results, settings: dict, releases: List[str], judged: bool) -> List[str]:
    sizes, file_releases = settings['sizes'], [release for release in releases if release != '3.2.3']
    titles, over = [TITLES[library] for library in ['ours'] + releases], ['÷ ' + release for release in releases]
    lines = ['## Targets', '', '```'] + verdicts(results, sizes, judged) + ['```', '']

    n, rows = sizes['operations'][0], []
    for shape in SHAPES:
        for operation, kind in [(operation, 'memory') for operation in OPERATIONS] + [('get_one_by_id', 'file')]:
            label = operation + (', file persistence' if kind == 'file' else '')
            rows.append([label, shape] + cells(results, 'operations', n, shape, operation + ' ' + kind,
                                               [operation + ' floor', operation + ' copy floor'], releases))
    header = ['operation', 'items', 'floor', 'copy floor'] + titles + ['÷ floor', '÷ copy floor'] + over
    lines += table('In memory, N = {:,}: µs per call'.format(n), header, 2, rows)

    n = sizes['memory'][0]
    rows = [[shape] + cells(results, 'memory', n, shape, 'library', ['floor'], releases, 1e5 / n / 2 ** 20)
            for shape in SHAPES]
    lines += table('Peak memory while N = {:,} creates fill a store: MiB per 100,000 items'.format(n),
                   ['items', 'floor'] + titles + ['÷ floor'] + over, 1, rows)

    kib = {(size, shape): number(results.get('ours', 'writes', size, shape, 'file bytes'), 2 ** -10)
           for size in sizes['writes'] for shape in SHAPES}
    rows = [['{:,}'.format(size), shape, write, kib[size, shape]]
            + cells(results, 'writes', size, shape, write, ['floor'], file_releases, 1e-3)
            for size in sizes['writes'] for shape in SHAPES for write in WRITES]
    header = ['N', 'items', 'write', 'file KiB', 'I/O floor', TITLES['ours']] + file_releases + ['÷ I/O floor'] \
        + ['÷ ' + release for release in file_releases]
    lines += table('File writes: ms per write', header, 3, rows)

    n = sizes['open'][0]
    rows = [[shape, item_type] + cells(results, 'open', n, shape, item_type, ['floor'], releases, 1e-3)
            for shape in SHAPES for item_type in ITEM_TYPES]
    header = ['file written from', 'item_type', 'json.loads + index'] + titles + ['÷ floor'] + over
    lines += table('Open, N = {:,}: ms'.format(n), header, 2, rows)

    n, several, rows = sizes['concurrency'][0], '%d threads' % THREADS, []
    for shape in SHAPES:
        for library in ['ours'] + file_releases:
            single, spread = (results.get(library, 'concurrency', n, shape, name) for name in ('1 thread', several))
            rows.append([TITLES[library], shape, number(single and 1e6 / single), number(spread and 1e6 / spread),
                         times(single / spread if single and spread else None)])
    lines += table('Concurrent writers: updates on one file persistence of N = {:,} items'.format(n),
                   ['library', 'items', '1 thread: writes/s', several + ': writes/s', 'speed-up'], 2, rows)
    return lines + (['## Failures', ''] + ['- ' + failure for failure in results.failures] if results.failures else [])


def machine(directory: str) -> List[str]:
    cpu = platform.processor() or 'unknown'
    if os.path.exists('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as cpuinfo:
            cpu = next((line.split(':', 1)[1].strip() for line in cpuinfo if line.startswith('model name')), cpu)
    load = ' / '.join('%.2f' % value for value in os.getloadavg()) if hasattr(os, 'getloadavg') else 'unknown'
    rows = [('Date', datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')),
            ('Platform', platform.platform()), ('CPU', '%s, %s logical cores' % (cpu, os.cpu_count())),
            ('Python', platform.python_version()), ('Load average at start (1/5/15 min)', load),
            ('Files written in', directory)]
    return ['## Machine', '', '| | |', '|---|---|'] + ['| %s | %s |' % row for row in rows]


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='N = 1,000 and few batches; targets not judged')
    parser.add_argument('--output', default=os.path.join(BENCHMARKS_DIR, 'RESULTS.md'), help='where the report goes')
    parser.add_argument('--releases', default='3.3.0,3.2.3', help='which of 3.3.0,3.2.3 to compare with')
    parser.add_argument('--sections', default=','.join(SECTIONS), help='any of ' + ','.join(SECTIONS))
    parser.add_argument('--json', metavar='PATH', help='also write every measurement as JSON')
    parser.add_argument('--verbose', action='store_true', help="show the workers' stderr")
    arguments = parser.parse_args(argv)
    releases, sections = [name for name in arguments.releases.split(',') if name], arguments.sections.split(',')
    if set(releases) - set(RELEASES) or set(sections) - set(SECTIONS):
        parser.error('unknown release or section')
    settings, notes = QUICK if arguments.quick else FULL, []
    for release in list(releases):
        problem = set_up_release(release, arguments.quick)
        if problem and not arguments.quick:
            log('%s\n(leave it out of --releases to run without it)' % problem)
            return 2
        if problem:
            releases.remove(release)
            notes.append('%s is not measured: %s' % (release, problem))
    directory, results, started = tempfile.mkdtemp(prefix='pip-data-bench-'), Results(), time.time()
    lines = ['# Benchmark results', '', 'Produced by `python benchmarks/run.py%s`; [README.md](README.md) explains the '
             'method. Times are medians over batches; lower is better.' % ''.join(' ' + arg for arg in argv), '']
    lines += machine(directory)
    # 3.3.0 runs in this library's worker, interleaved; 3.2.3 (which cannot share a process) in its own.
    workers = [('ours', {release: release_folder(release) for release in releases if release == '3.3.0'})]
    workers += [('3.2.3', {})] if '3.2.3' in releases else []
    try:
        for section in sections:
            for size in settings['sizes'][section]:
                for library, beside in workers:
                    if library == '3.2.3' and section in ('writes', 'concurrency'):
                        continue  # 3.2.3 loads files as plain dicts, on which its writes by id fail
                    # In memory, which library's stores come first moved identical code by up to 30%
                    # (filters): that section runs in both orders, each in a new process.
                    for reverse in [False, True] if section == 'operations' and beside else [False]:
                        log('{:4.0f} s  {}, N={:,}: {}{}'.format(time.time() - started, section, size, ', '.join(
                            TITLES[name] for name in [library, *beside]), ', reverse order' if reverse else ''))
                        job = dict(library=library, beside=beside, reverse=reverse, section=section, size=size,
                                   settings=settings, seed=20240401, directory=directory)
                        results.add(library, section, run_worker(job, arguments.verbose))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    log('{:4.0f} s  done'.format(time.time() - started))
    lines.append('| Libraries | %s; commons %s |' % ('; '.join('%s: %s' % (TITLES[library], folder)
                                                              for library, folder in results.libraries.items()),
                                                    results.commons))
    notes.append('3.2.3 turns dicts into classes, so its dict rows store classes and its filters read `item.key`. It '
                 'loads files as plain dicts, on which its by-id operations fail: it has no rows for file writes, '
                 'file reads and concurrency, and no `item_type`.')
    lines += ['', '## Notes', ''] + ['- ' + note for note in notes] + ['']
    text = '\n'.join(lines + report(results, settings, releases, not arguments.quick))
    print(text)
    with open(arguments.output, 'w', encoding='utf-8') as output:
        output.write(text)
    if arguments.json:
        with open(arguments.json, 'w', encoding='utf-8') as output:
            json.dump([list(key) + [values] for key, values in results.values.items()], output)
    if any(failure.startswith(TITLES['ours']) for failure in results.failures):
        log('Some measurements of this library crashed: see Failures in the report.')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(worker_main(json.loads(sys.argv[2])) if sys.argv[1:2] == ['--worker'] else main(sys.argv[1:]))
