# -*- coding: utf-8 -*-
"""
Benchmark of pip_services3_data against pip-services3-data 3.2.3 and a plain-Python floor.

One command measures, in one run and side by side, this checkout, the 3.2.3 release (installed
by this script into ``benchmarks/.venv-3.2.3/``) and the floor, then writes a markdown report::

    python benchmarks/run.py                        # sizes 1,000 / 10,000 / 100,000 (~10 min)
    python benchmarks/run.py --quick                # sizes 200 / 1,000, a few seconds
    python benchmarks/run.py --output /tmp/r.md     # report elsewhere (default benchmarks/RESULTS.md)
    python benchmarks/run.py --profile update --shape dicts --sizes 100000   # cProfile of one op

Each library runs in its own worker process (``_worker.py``): the two releases share the import
name ``pip_services3_data``. Exit status: 0 when every measurement of this library and of the
floor ran, 1 when one of them crashed, 2 when the 3.2.3 environment cannot be set up in a full run.
Targets that are missed are reported as FAIL lines but do not change the exit status.
See README.md in this folder for the method.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from typing import Any, Dict, List, Optional, Tuple

BENCHMARKS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCHMARKS_DIR)
WORKER = os.path.join(BENCHMARKS_DIR, '_worker.py')
OLD_VERSION = '3.2.3'
OLD_VENV = os.path.join(BENCHMARKS_DIR, '.venv-' + OLD_VERSION)
RESULT_MARKER = '@@BENCHMARK-RESULT@@ '

OPERATIONS = ['create', 'get_one_by_id', 'get_page_by_filter', 'get_list_by_filter',
              'update', 'update_partially', 'delete_by_id']
SHAPES = ['objects', 'dicts']
LIBRARY_TITLES = {'floor': 'floor', 'ours': 'this library', 'old': OLD_VERSION}
#: Measured only beside this library, in its worker: the floor plus the copies the contract asks for.
COPYING_FLOOR = 'copying-floor'

#: (operation, what it is compared with, the largest ratio that passes)
MEMORY_OPERATION_TARGETS = [
    ('get_one_by_id', 'floor', 10.0),
    ('update', 'floor', 10.0),
    ('update_partially', 'floor', 10.0),
    ('delete_by_id', 'floor', 2.0),
    ('get_page_by_filter', 'floor', 2.0),
    ('get_list_by_filter', 'floor', 2.0),
    ('create', 'old', 1.5),
]
FILE_WRITE_LIMIT = 1.3
FILE_WRITE_TARGET_SIZES = (10000, 100000)
OPEN_LIMIT = 1.3
MEMORY_LIMIT = 1.5

FULL_SETTINGS = {'repeats': 7, 'min_repeats': 3, 'file_repeats': 15, 'file_min_repeats': 5,
                 'batch_seconds': 0.05, 'budget_seconds': 2.0, 'max_mutating_batch': 200}
QUICK_SETTINGS = {'repeats': 3, 'min_repeats': 2, 'file_repeats': 3, 'file_min_repeats': 2,
                  'batch_seconds': 0.004, 'budget_seconds': 0.15, 'max_mutating_batch': 50}


def log(message: str):
    sys.stderr.write(message + '\n')
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# Environments

def old_python() -> str:
    return os.path.join(OLD_VENV, 'Scripts' if os.name == 'nt' else 'bin',
                        'python.exe' if os.name == 'nt' else 'python')


def old_release_installed() -> bool:
    if not os.path.exists(old_python()):
        return False
    check = ('from importlib import metadata; import pip_services3_data.persistence; '
             'print(metadata.version("pip_services3_data"))')
    completed = subprocess.run([old_python(), '-c', check], capture_output=True, text=True,
                               cwd=tempfile.gettempdir())
    return completed.returncode == 0 and completed.stdout.strip() == OLD_VERSION


def ensure_old_release() -> Optional[str]:
    """Creates the 3.2.3 virtualenv when missing; returns None when ready, else the reason."""
    if old_release_installed():
        return None
    log('Setting up %s with pip-services3-data==%s ...' % (OLD_VENV, OLD_VERSION))
    try:
        if not os.path.exists(old_python()):
            subprocess.run([sys.executable, '-m', 'venv', OLD_VENV], check=True,
                           capture_output=True, text=True)
        subprocess.run([old_python(), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                        'pip-services3-data==' + OLD_VERSION], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        details = getattr(error, 'stderr', '') or str(error)
        return 'could not set up %s: %s' % (OLD_VENV, details.strip().splitlines()[-1:] or details)
    if not old_release_installed():
        return 'pip-services3-data==%s is not importable in %s' % (OLD_VERSION, OLD_VENV)
    return None


def interpreter_for(library: str) -> str:
    return old_python() if library == 'old' else sys.executable


def run_worker(library: str, job: Dict[str, Any], verbose: bool) -> Tuple[Dict[str, Any], bool]:
    """Runs one worker; returns its answer and whether everything in it ran."""
    job = dict(job, library=library, repo_root=REPO_ROOT)
    # The working directory is a temporary one, so the 3.2.3 worker cannot import this checkout.
    completed = subprocess.run([interpreter_for(library), WORKER, json.dumps(job)],
                               capture_output=True, text=True, cwd=tempfile.gettempdir())
    if verbose and completed.stderr:
        sys.stderr.write(completed.stderr)
    answer = None
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            answer = json.loads(line[len(RESULT_MARKER):])
    if answer is None:
        answer = {'library': library,
                  'fatal': 'worker exited with status %d without results:\n%s' % (
                      completed.returncode, completed.stderr[-3000:])}
    ran = completed.returncode == 0 and 'fatal' not in answer
    if not ran and not verbose:
        sys.stderr.write(completed.stderr[-3000:])
    return answer, ran


# ---------------------------------------------------------------------------------------------
# Machine

def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def filesystem_of(path: str) -> str:
    try:
        with open('/proc/mounts') as mounts:
            entries = [line.split() for line in mounts]
    except OSError:
        return 'unknown'
    path = os.path.realpath(path)
    best = ('', 'unknown')
    for entry in entries:
        mount_point, kind = entry[1], entry[2]
        inside = path == mount_point or path.startswith(mount_point.rstrip('/') + '/')
        if inside and len(mount_point) > len(best[0]):
            best = (mount_point, kind)
    return best[1]


def checkout_version() -> str:
    try:
        with open(os.path.join(REPO_ROOT, 'setup.py')) as setup_file:
            found = re.search(r"version\s*=\s*['\"]([^'\"]+)['\"]", setup_file.read())
            if found:
                return found.group(1)
    except OSError:
        pass
    return 'checkout'


def machine_description(directory: str) -> List[Tuple[str, str]]:
    try:
        load = ' / '.join('%.2f' % value for value in os.getloadavg())
    except OSError:
        load = 'unknown'
    return [
        ('Date', datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')),
        ('Platform', platform.platform()),
        ('CPU', '%s, %s logical cores' % (cpu_model(), os.cpu_count())),
        ('Python', '%s %s' % (platform.python_implementation(), platform.python_version())),
        ('Load average at start (1/5/15 min)', load),
        ('Files written in', '%s (%s)' % (directory, filesystem_of(directory))),
    ]


# ---------------------------------------------------------------------------------------------
# Report

def format_us(value: Optional[float]) -> str:
    if value is None:
        return 'n/a'
    if value < 10:
        return '%.2f' % value
    if value < 1000:
        return '%.1f' % value
    return '{:,.0f}'.format(value)


def format_ratio(value: Optional[float]) -> str:
    return 'n/a' if value is None else '%.2f×' % value


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


class Results:
    """Worker answers, indexed as results[library][size][shape][operation] -> measurement."""

    def __init__(self):
        self.operations: Dict[str, Dict[int, Dict[str, Any]]] = {}
        self.memory: Dict[str, Dict[str, Any]] = {}
        self.descriptions: Dict[str, Any] = {}
        self.failures: List[str] = []

    def add_failure(self, library: str, where: str, text: str):
        lines = [line for line in text.strip().splitlines() if line.strip()]
        title = LIBRARY_TITLES.get(library, 'floor + copies')
        self.failures.append('%s, %s: %s' % (title, where, lines[-1] if lines else text))

    def add_operations(self, library: str, size: int, answer: Dict[str, Any]):
        if 'description' in answer:
            self.descriptions[library] = answer['description']
        if 'fatal' in answer:
            self.add_failure(library, 'N=%d' % size, answer['fatal'])
            return
        self.operations.setdefault(library, {})[size] = answer['results']
        for shape, shape_results in answer['results'].items():
            if 'error' in shape_results:
                self.add_failure(library, '%s N=%d set-up' % (shape, size), shape_results['error'])
            for name, measurement in shape_results.items():
                if isinstance(measurement, dict) and 'error' in measurement:
                    self.add_failure(library, '%s N=%d %s' % (shape, size, name), measurement['error'])

    def add_memory(self, library: str, shape: str, answer: Dict[str, Any]):
        if 'fatal' in answer:
            self.add_failure(library, 'memory %s' % shape, answer['fatal'])
            return
        memory = answer['memory']
        if 'error' in memory:
            self.add_failure(library, 'memory %s' % shape, memory['error'])
            return
        self.memory.setdefault(library, {})[shape] = memory

    def operation_us(self, library: str, size: int, shape: str, operation: str) -> Optional[float]:
        measurement = self.operations.get(library, {}).get(size, {}).get(shape, {}).get(operation)
        if not isinstance(measurement, dict) or 'us' not in measurement:
            return None
        return measurement['us']

    def file_value(self, library: str, size: int, shape: str, measure: str) -> Optional[float]:
        file_results = self.operations.get(library, {}).get(size, {}).get(shape, {}).get('file')
        if not isinstance(file_results, dict) or measure not in file_results:
            return None
        value = file_results[measure]
        return value['us'] if isinstance(value, dict) else value

    def memory_value(self, library: str, shape: str, measure: str) -> Optional[float]:
        return self.memory.get(library, {}).get(shape, {}).get(measure)


def operations_table(results: Results, size: int) -> List[str]:
    lines = ['| operation | items | floor µs | floor + copies µs | this library µs | %s µs '
             '| ÷ floor | ÷ floor + copies | ÷ %s |' % (OLD_VERSION, OLD_VERSION),
             '|---|---|---:|---:|---:|---:|---:|---:|---:|']
    for shape in SHAPES:
        for operation in OPERATIONS:
            floor = results.operation_us('floor', size, shape, operation)
            copying_floor = results.operation_us(COPYING_FLOOR, size, shape, operation)
            ours = results.operation_us('ours', size, shape, operation)
            old = results.operation_us('old', size, shape, operation)
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                operation, shape, format_us(floor), format_us(copying_floor), format_us(ours),
                format_us(old), format_ratio(ratio(ours, floor)),
                format_ratio(ratio(ours, copying_floor)), format_ratio(ratio(ours, old))))
    return lines


def file_table(results: Results, sizes: List[int]) -> List[str]:
    lines = ['| N | items | measure | floor | this library | %s | ÷ floor | ÷ %s |'
             % (OLD_VERSION, OLD_VERSION),
             '|---:|---|---|---:|---:|---:|---:|---:|']
    measures = [('open', 'open (load), ms', 1e-3), ('write', 'one write, ms', 1e-3),
                ('file_bytes', 'file size, KiB', 1 / 1024)]
    for size in sizes:
        for shape in SHAPES:
            for measure, title, scale in measures:
                values = [results.file_value(library, size, shape, measure)
                          for library in ('floor', 'ours', 'old')]
                shown = [format_us(None if value is None else value * scale) for value in values]
                lines.append('| {:,} | {} | {} | {} | {} | {} | {} | {} |'.format(
                    size, shape, title, shown[0], shown[1], shown[2],
                    format_ratio(ratio(values[1], values[0])), format_ratio(ratio(values[1], values[2]))))
    return lines


def memory_table(results: Results) -> List[str]:
    lines = ['| items | measure | floor MiB | this library MiB | %s MiB | ÷ floor | ÷ %s |'
             % (OLD_VERSION, OLD_VERSION),
             '|---|---|---:|---:|---:|---:|---:|']
    for shape in SHAPES:
        for measure, title in (('peak_bytes_per_100k', 'peak'), ('retained_bytes_per_100k', 'retained')):
            values = [results.memory_value(library, shape, measure) for library in ('floor', 'ours', 'old')]
            shown = ['n/a' if value is None else '%.1f' % (value / 2 ** 20) for value in values]
            lines.append('| %s | %s | %s | %s | %s | %s | %s |' % (
                shape, title, shown[0], shown[1], shown[2],
                format_ratio(ratio(values[1], values[0])), format_ratio(ratio(values[1], values[2]))))
    return lines


def check_targets(results: Results, sizes: List[int]) -> List[str]:
    largest = max(sizes)
    # The targets are set at 100,000 items; at smaller sizes fixed costs dominate the ratios,
    # so a quick run reports them without judging them.
    judged = largest >= 100_000
    verdicts = []

    def verdict(label: str, value: Optional[float], limit: float, baseline: str):
        if value is None:
            verdicts.append('SKIP  %s: not measured' % label)
        else:
            word = ('PASS' if value <= limit else 'FAIL') if judged else 'INFO'
            verdicts.append('%s  %s: %.2f× %s (limit %.1f× at N=100,000)' % (
                word, label, value, baseline, limit))

    for shape in SHAPES:
        for operation, baseline, limit in MEMORY_OPERATION_TARGETS:
            ours = results.operation_us('ours', largest, shape, operation)
            reference = results.operation_us(baseline, largest, shape, operation)
            title = 'order-preserving floor' if operation == 'delete_by_id' else LIBRARY_TITLES[baseline]
            verdict('{} [{}] N={:,}'.format(operation, shape, largest), ratio(ours, reference), limit, title)
        write_sizes = [size for size in sizes if size in FILE_WRITE_TARGET_SIZES] or [largest]
        for size in write_sizes:
            verdict('file write [{}] N={:,}'.format(shape, size),
                    ratio(results.file_value('ours', size, shape, 'write'),
                          results.file_value('floor', size, shape, 'write')),
                    FILE_WRITE_LIMIT, 'atomic floor')
        verdict('file open [{}] N={:,}'.format(shape, largest),
                ratio(results.file_value('ours', largest, shape, 'open'),
                      results.file_value('floor', largest, shape, 'open')),
                OPEN_LIMIT, 'floor')
        verdict('memory peak per 100k [%s]' % shape,
                ratio(results.memory_value('ours', shape, 'peak_bytes_per_100k'),
                      results.memory_value('floor', shape, 'peak_bytes_per_100k')),
                MEMORY_LIMIT, 'floor')
    return verdicts


def render_report(results: Results, sizes: List[int], machine: List[Tuple[str, str]],
                  settings: Dict[str, Any], command: str, notes: List[str], verdicts: List[str],
                  memory_size: int) -> str:
    lines = ['# Benchmark results', '',
             'Produced by `%s`. Times are medians of per-operation times over batches '
             '(see [README.md](README.md) for the method); lower is better.' % command, '']
    lines += ['## Machine', '', '| | |', '|---|---|']
    lines += ['| %s | %s |' % row for row in machine]
    libraries = ['this library: %s %s (%s)' % (
        'pip_services3_data', checkout_version(),
        (results.descriptions.get('ours') or {}).get('module', 'not measured'))]
    old = results.descriptions.get('old')
    libraries.append('%s: %s' % (OLD_VERSION, old['module'] if old else 'not measured'))
    commons = (results.descriptions.get('ours') or old or {}).get('commons')
    if commons:
        libraries.append('pip-services3-commons %s' % commons)
    lines.append('| Libraries | %s |' % '; '.join(libraries))
    lines.append('| Settings | %s |' % ', '.join('%s=%s' % item for item in sorted(settings.items())))
    lines.append('')
    if notes:
        lines += ['## Notes', ''] + ['- ' + note for note in notes] + ['']
    lines += ['## Targets at N={:,}'.format(max(sizes)), '', '```'] + verdicts + ['```', '']
    lines += ['## In-memory operations (µs per operation)', '',
              'The floors run in the same process as this library, their batches alternating. '
              'Floor for `delete_by_id`: order-preserving (dict lookup of the index, then `del` at '
              'that index of a list of the N ids). *Floor + copies* is the floor storing and '
              'returning copies made with this library\'s copier, as the contract asks (no targets '
              'refer to it; it shows what the copies alone cost). `÷ floor`, `÷ floor + copies` and '
              '`÷ %s` are this library\'s time divided by theirs.' % OLD_VERSION, '']
    for size in sizes:
        lines += ['### N = {:,}'.format(size), ''] + operations_table(results, size) + ['']
    lines += ['## File persistence', '',
              '`open`: a new persistence loading a file of N items (floor: read + `json.loads` + a '
              'dict keyed by id, building objects for the object shape). `one write`: one `update` '
              'on a store of N items, which rewrites the whole file (floor: `json.dumps` of plain '
              'dicts, temp file + flush + fsync + `os.replace` + directory fsync). 3.2.3 writes the '
              'file in place without fsync.', '']
    lines += file_table(results, sizes) + ['']
    lines += ['## Memory (tracemalloc, per 100,000 items, store built with N={:,} creates)'.format(
        memory_size), ''] + memory_table(results) + ['']
    if results.failures:
        lines += ['## Failures', ''] + ['- ' + failure for failure in results.failures] + ['']
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------

def parse_arguments(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='sizes 200 and 1,000 and few repeats (a smoke run for CI)')
    parser.add_argument('--sizes', help='comma-separated item counts (default 1000,10000,100000)')
    parser.add_argument('--output', default=os.path.join(BENCHMARKS_DIR, 'RESULTS.md'),
                        help='markdown report path (default benchmarks/RESULTS.md)')
    parser.add_argument('--libraries', default='floor,ours,old',
                        help='which of floor,ours,old to measure (default all three)')
    parser.add_argument('--repeats', type=int, help='batches per measurement (default 7, quick 3)')
    parser.add_argument('--directory', default=None,
                        help='where the file benchmarks write (default: the system temp dir)')
    parser.add_argument('--json', metavar='PATH',
                        help='also write every measurement (median, min, max, batch, samples) as JSON')
    parser.add_argument('--seed', type=int, default=20240401)
    parser.add_argument('--no-memory', action='store_true', help='skip the tracemalloc runs')
    parser.add_argument('--profile', metavar='OPERATION', choices=OPERATIONS + ['open', 'write'],
                        help='print a cProfile of one batch of OPERATION (an in-memory operation, '
                             'or open / write of the file persistence) in this library and exit')
    parser.add_argument('--shape', choices=SHAPES, default='dicts', help='item shape for --profile')
    parser.add_argument('--verbose', action='store_true', help='show worker progress')
    return parser.parse_args(argv)


def main(argv: List[str]) -> int:
    arguments = parse_arguments(argv)
    settings = dict(QUICK_SETTINGS if arguments.quick else FULL_SETTINGS)
    if arguments.repeats:
        settings['repeats'] = arguments.repeats
        settings['file_repeats'] = arguments.repeats
        settings['min_repeats'] = min(settings['min_repeats'], arguments.repeats)
        settings['file_min_repeats'] = min(settings['file_min_repeats'], arguments.repeats)
    if arguments.sizes:
        sizes = sorted({int(size.replace('_', '')) for size in arguments.sizes.split(',')})
    else:
        sizes = [200, 1000] if arguments.quick else [1000, 10000, 100000]
    if min(sizes) < 8:
        log('sizes must be at least 8')
        return 2
    libraries = [name.strip() for name in arguments.libraries.split(',') if name.strip()]
    unknown = set(libraries) - set(LIBRARY_TITLES)
    if unknown:
        log('unknown libraries: %s' % ', '.join(sorted(unknown)))
        return 2
    seed = arguments.seed
    created_directory = None
    directory = arguments.directory
    if directory is None:
        directory = created_directory = tempfile.mkdtemp(prefix='pip-data-bench-')
    base_job = dict(settings, seed=seed, directory=directory)
    machine = machine_description(os.path.dirname(directory) if created_directory else directory)

    if arguments.profile:
        job = dict(base_job, task='profile', size=max(sizes), shape=arguments.shape,
                   operation=arguments.profile)
        answer, ran = run_worker('ours', job, arguments.verbose)
        print(answer.get('profile') or answer.get('fatal'))
        return 0 if ran else 1

    notes: List[str] = []
    if 'old' in libraries:
        problem = ensure_old_release()
        if problem:
            if not arguments.quick:
                log('%s\n(use --libraries floor,ours to run without it)' % problem)
                return 2
            libraries.remove('old')
            notes.append('%s was skipped: %s' % (OLD_VERSION, problem))
            log('Skipping %s: %s' % (OLD_VERSION, problem))
    if 'ours' in libraries and not os.path.exists(
            os.path.join(REPO_ROOT, 'pip_services3_data', 'persistence', '__init__.py')):
        notes.append('this library has no pip_services3_data/persistence/__init__.py yet')
    notes.append('3.2.3 turns every dict it is given into a class (`type("object", (object,), item)`) '
                 'and stores that, so its "dicts" rows time dicts converted to classes and its '
                 'filters read `item.key`; this library and the floor keep dicts and filter with '
                 '`item["key"]`. 3.2.3 loads files as plain dicts, on which its by-id operations '
                 'fail, so before its file writes are timed its loaded items are converted '
                 '(untimed) to the shape its own `create` makes.')

    results = Results()
    everything_ran = True
    # The floor runs inside this library's worker, its batches alternating with the library's,
    # so that both see the same moments of a noisy machine; alone only when that worker fails.
    floor_with_ours = 'floor' in libraries and 'ours' in libraries
    for size in sizes:
        for library in libraries:
            if library == 'floor' and floor_with_ours:
                continue
            log('N={:,}: {}{} ...'.format(size, LIBRARY_TITLES[library],
                                          ' and floor' if library == 'ours' and floor_with_ours else ''))
            job = dict(base_job, task='operations', size=size, shapes=SHAPES,
                       with_floor=library == 'ours' and floor_with_ours)
            answer, ran = run_worker(library, job, arguments.verbose)
            results.add_operations(library, size, answer)
            if not ran and library != 'old':
                everything_ran = False
            if 'floor_results' in answer:
                results.add_operations('floor', size, {'results': answer['floor_results']})
            if 'copying_floor_results' in answer:
                results.add_operations(COPYING_FLOOR, size, {'results': answer['copying_floor_results']})
            elif job['with_floor']:
                log('N={:,}: floor alone ...'.format(size))
                floor_answer, floor_ran = run_worker('floor', dict(job, with_floor=False), arguments.verbose)
                results.add_operations('floor', size, floor_answer)
                everything_ran = everything_ran and floor_ran
    memory_size = max(sizes)
    if not arguments.no_memory:
        for library in libraries:
            for shape in SHAPES:
                log('memory {} {} N={:,} ...'.format(LIBRARY_TITLES[library], shape, memory_size))
                answer, ran = run_worker(library, dict(base_job, task='memory', size=memory_size,
                                                       shape=shape), arguments.verbose)
                results.add_memory(library, shape, answer)
                if not ran and library != 'old':
                    everything_ran = False

    if created_directory:
        try:
            os.rmdir(created_directory)
        except OSError:
            pass

    verdicts = check_targets(results, sizes)
    command = 'python benchmarks/run.py' + (' ' + ' '.join(argv) if argv else '')
    report = render_report(results, sizes, machine, settings, command, notes,
                           verdicts, memory_size)
    print(report)
    output_directory = os.path.dirname(os.path.abspath(arguments.output))
    os.makedirs(output_directory, exist_ok=True)
    with open(arguments.output, 'w', encoding='utf-8') as output_file:
        output_file.write(report + '\n')
    log('Report written to %s' % arguments.output)
    if arguments.json:
        with open(arguments.json, 'w', encoding='utf-8') as json_file:
            json.dump({'machine': dict(machine), 'settings': settings, 'sizes': sizes,
                       'operations': results.operations, 'memory': results.memory,
                       'libraries': results.descriptions, 'failures': results.failures},
                      json_file, indent=1)
        log('Measurements written to %s' % arguments.json)
    if not everything_ran:
        log('Some measurements of this library or of the floor crashed (see Failures).')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
