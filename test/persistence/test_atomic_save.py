"""A save replaces the file atomically: it is at every instant the old or the new whole array.

3.2.3 truncated the file and then serialised into it, so an error or a kill mid-save left an
empty or half-written file, and the next start loaded that as an empty store and overwrote it.
A save now writes a temporary file beside the target, fsyncs it, renames it over the target
and fsyncs the directory. Faults are injected at the exact system call. What memory does when
a save fails is in ``test_saving_and_rollback.py``.
"""

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
from unittest import mock

import pytest
from pip_services3_commons.errors import FileException

from pip_services3_data.persistence import JsonFilePersister
from support import file_state, open_file_persistence

real_open = os.open
real_write = os.write
real_fsync = os.fsync
real_replace = os.replace

# The naming pattern of _atomic_file: '.<file name>.<16 hex digits>.tmp' beside the file.
STALE_TEMPORARY_NAMES = ['.data.json.0123456789abcdef.tmp', '.data.json.fedcba9876543210.tmp']


def temporary_files_in(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith('.tmp'))


def is_directory(descriptor):
    return stat.S_ISDIR(os.fstat(descriptor).st_mode)


@pytest.fixture
def saved_file(tmp_path):
    """A persister whose file holds one item."""
    persister = JsonFilePersister(str(tmp_path / 'data.json'))
    persister.save(None, [{'id': '1'}])
    return persister, tmp_path / 'data.json'


# ---------------------------------------------------------------------------------------------
# A process killed at random moments


WRITER_SCRIPT = '''
import sys
from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister

path = sys.argv[1]
# Stand by, imports done, until the test lets this writer start: one writer per file.
sys.stdin.readline()
persistence = IdentifiableFilePersistence(JsonFilePersister(path))
persistence.open(None)
sequence = persistence.get_count_by_filter(None, None)
while True:
    persistence.create(None, {'id': 'item-%d' % sequence, 'sequence': sequence, 'payload': 'x' * 250})
    sequence += 1
    # Printed once the create returned: this many items are acknowledged as stored.
    print(sequence, flush=True)
'''

KILLS = 24
SEEDED_ITEMS = 2500


def start_writer(script, path):
    return subprocess.Popen([sys.executable, str(script), str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file_or_loses_an_acknowledged_item(tmp_path):
    """3.2.3: a kill between the truncate and the end of the write emptied the file."""
    path = tmp_path / 'data' / 'items.json'
    script = tmp_path / 'writer.py'
    script.write_text(WRITER_SCRIPT)
    JsonFilePersister(str(path)).save(None, [
        {'id': 'item-%d' % sequence, 'sequence': sequence, 'payload': 'x' * 250} for sequence in range(SEEDED_ITEMS)
    ])
    moments = random.Random(20240501)
    previous_count = SEEDED_ITEMS
    kills_that_left_a_temporary_file = 0

    standby = start_writer(script, path)
    writer = standby
    try:
        for kill in range(KILLS):
            # The next writer imports while this one runs; it touches nothing until told to go.
            writer, standby = standby, start_writer(script, path)
            writer.stdin.write(b'go\n')
            writer.stdin.flush()
            first_acknowledgement = writer.stdout.readline()
            assert first_acknowledgement, writer.stderr.read().decode()
            try:
                writer.wait(timeout=moments.uniform(0.0, 0.1))
            except subprocess.TimeoutExpired:
                pass
            writer.kill()
            writer.wait()
            assert writer.returncode == -signal.SIGKILL, writer.stderr.read().decode()
            acknowledged = int((first_acknowledgement + writer.stdout.read()).split()[-1])
            if temporary_files_in(path.parent):
                kills_that_left_a_temporary_file += 1

            items = json.loads(path.read_bytes())

            context = f'kill {kill}: {acknowledged} acknowledged, previously {previous_count}'
            assert isinstance(items, list), context
            # Every acknowledged create is there; at most the one in flight got in besides.
            assert acknowledged <= len(items) <= acknowledged + 1, context
            assert len(items) >= previous_count, context
            assert [item['sequence'] for item in items] == list(range(len(items))), context
            assert all(item['payload'] == 'x' * 250 for item in items), context
            reopened = open_file_persistence(path)
            assert reopened.get_count_by_filter(None, None) == len(items), context
            assert reopened.get_one_by_id(None, 'item-%d' % (len(items) - 1)) == items[-1], context
            assert temporary_files_in(path.parent) == [], context
            previous_count = len(items)
    finally:
        stop(writer)
        stop(standby)

    assert previous_count >= SEEDED_ITEMS + KILLS
    print(f'{kills_that_left_a_temporary_file} of {KILLS} kills left a temporary file')


# ---------------------------------------------------------------------------------------------
# A system call failing at each step of a save


def fail_for_temporary_files(error):
    def fake_open(path, flags, *args, **kwargs):
        if str(path).endswith('.tmp'):
            raise error
        return real_open(path, flags, *args, **kwargs)
    return fake_open


def disk_filling_up(descriptor, content):
    """A write that fills the disk halfway through."""
    real_write(descriptor, bytes(content[:(len(content) + 1) // 2]))
    raise OSError(errno.ENOSPC, 'No space left on device')


def fail_for_regular_files(error):
    def fake_fsync(descriptor):
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise error
        return real_fsync(descriptor)
    return fake_fsync


def raise_error(error):
    def fake(*args, **kwargs):
        raise error
    return fake


FAULTS = {
    'open-temporary-ENOSPC': ('open', fail_for_temporary_files(OSError(errno.ENOSPC, 'No space left on device'))),
    'open-temporary-EACCES': ('open', fail_for_temporary_files(PermissionError(errno.EACCES, 'Permission denied'))),
    'write-ENOSPC': ('write', disk_filling_up),
    'write-takes-nothing': ('write', lambda descriptor, content: 0),
    'fsync-file-EIO': ('fsync', fail_for_regular_files(OSError(errno.EIO, 'Input/output error'))),
    'chmod-EPERM': ('fchmod', raise_error(PermissionError(errno.EPERM, 'Operation not permitted'))),
    'replace-EACCES': ('replace', raise_error(PermissionError(errno.EACCES, 'Permission denied'))),
    'replace-EBUSY': ('replace', raise_error(OSError(errno.EBUSY, 'Device or resource busy'))),
}


@pytest.mark.parametrize('fault', list(FAULTS), ids=list(FAULTS))
def test_a_save_failing_at_any_step_raises_write_failed_and_leaves_the_old_file(saved_file, fault):
    persister, path = saved_file
    old_content = path.read_bytes()
    system_call, fake = FAULTS[fault]

    with mock.patch.object(os, system_call, fake):
        with pytest.raises(FileException) as raised:
            persister.save('123', [{'id': '1'}, {'id': '2'}])

    assert raised.value.code == 'WRITE_FAILED'
    assert str(path) in raised.value.message
    assert isinstance(raised.value.cause, OSError)
    assert path.read_bytes() == old_content
    assert sorted(os.listdir(path.parent)) == ['.data.json.lock', 'data.json']

    persister.save('123', [{'id': '1'}, {'id': '2'}])
    assert json.loads(path.read_bytes()) == [{'id': '1'}, {'id': '2'}]


def test_a_save_creates_missing_folders_and_fails_coded_where_it_cannot(tmp_path):
    nested = tmp_path / 'a' / 'b' / 'data.json'
    JsonFilePersister(str(nested)).save(None, [{'id': '1'}])
    assert json.loads(nested.read_bytes()) == [{'id': '1'}]
    assert stat.S_IMODE(nested.parent.stat().st_mode) & stat.S_IWOTH == 0

    (tmp_path / 'plain-file').write_bytes(b'not a folder')
    under_a_file = tmp_path / 'plain-file' / 'data.json'
    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(under_a_file)).save(None, [{'id': '1'}])
    assert raised.value.code == 'WRITE_FAILED'
    assert (tmp_path / 'plain-file').read_bytes() == b'not a folder'


def test_a_create_whose_value_cannot_be_serialised_leaves_the_file_and_memory_as_they_were(tmp_path):
    """3.2.3 opened the file for writing, truncating it, before serialising the items."""
    path = tmp_path / 'data.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'name': 'Alice'})
    file_before = file_state(path)

    with pytest.raises(FileException) as raised:
        persistence.create(None, {'id': '2', 'value': {1, 2}})

    assert raised.value.code == 'WRITE_FAILED'
    assert file_state(path) == file_before
    assert [item.id for item in persistence.get_list_by_filter(None, None)] == ['1']


def test_the_file_and_then_the_directory_are_fsynced_before_a_save_returns(saved_file):
    persister, path = saved_file
    steps = []

    def recording_fsync(descriptor):
        steps.append('fsync directory' if is_directory(descriptor) else 'fsync file')
        return real_fsync(descriptor)

    def recording_replace(source, target):
        steps.append('replace')
        return real_replace(source, target)

    with mock.patch.object(os, 'fsync', recording_fsync), mock.patch.object(os, 'replace', recording_replace):
        persister.save(None, [{'id': '1'}, {'id': '2'}])

    assert steps == ['fsync file', 'replace', 'fsync directory']


def failing_directory_fsync(descriptor):
    if is_directory(descriptor):
        raise OSError(errno.EIO, 'Input/output error')
    return real_fsync(descriptor)


def failing_directory_open(path, flags, *args, **kwargs):
    if os.path.isdir(path):
        raise PermissionError(errno.EACCES, 'Permission denied')
    return real_open(path, flags, *args, **kwargs)


@pytest.mark.parametrize('system_call, fake', [('fsync', failing_directory_fsync), ('open', failing_directory_open)],
                         ids=['fsync-EIO', 'open-EACCES'])
def test_a_failing_directory_fsync_does_not_fail_the_save(saved_file, system_call, fake):
    """The replace already happened: the new file is in place and cannot be taken back."""
    persister, path = saved_file

    with mock.patch.object(os, system_call, fake):
        persister.save(None, [{'id': '1'}, {'id': '2'}])

    assert json.loads(path.read_bytes()) == [{'id': '1'}, {'id': '2'}]
    assert temporary_files_in(path.parent) == []


# ---------------------------------------------------------------------------------------------
# Where and how the file is written


def test_a_save_replaces_the_file_rather_than_rewriting_it_in_place(saved_file):
    """3.2.3 truncated the file and wrote it in place, so a reader in between saw an empty or
    half-written file. A replace gives the path a new inode and the old reader the old file."""
    persister, path = saved_file

    with open(path, 'rb') as reader_of_the_old_file:
        persister.save(None, [{'id': '1'}, {'id': '2'}])
        assert json.loads(reader_of_the_old_file.read()) == [{'id': '1'}]

    assert json.loads(path.read_bytes()) == [{'id': '1'}, {'id': '2'}]


def test_missing_parent_directories_are_created(tmp_path):
    path = tmp_path / 'a' / 'b' / 'data.json'

    JsonFilePersister(str(path)).save(None, [{'id': '1'}])

    assert json.loads(path.read_bytes()) == [{'id': '1'}]


@pytest.mark.parametrize('mode', [0o640, 0o444])
def test_an_existing_files_permission_bits_are_kept(saved_file, mode):
    persister, path = saved_file
    os.chmod(path, mode)

    persister.save(None, [{'id': '1'}, {'id': '2'}])

    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert len(json.loads(path.read_bytes())) == 2


def test_a_new_files_permission_bits_follow_the_umask_like_an_ordinary_open(tmp_path):
    path = tmp_path / 'data.json'
    previous_umask = os.umask(0o027)
    try:
        JsonFilePersister(str(path)).save(None, [{'id': '1'}])
    finally:
        os.umask(previous_umask)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_save_through_a_symbolic_link_updates_the_linked_file_and_keeps_the_link(tmp_path):
    """A rename over the link itself would turn it into a regular file and leave the real
    file, which other programs read, at its old content."""
    real_path = tmp_path / 'volume' / 'data.json'
    real_path.parent.mkdir()
    real_path.write_bytes(b'[]')
    link_path = tmp_path / 'data.json'
    link_path.symlink_to(real_path)

    JsonFilePersister(str(link_path)).save(None, [{'id': '1'}])

    assert link_path.is_symlink()
    assert json.loads(real_path.read_bytes()) == [{'id': '1'}]
    assert temporary_files_in(tmp_path) == [] and temporary_files_in(real_path.parent) == []


@pytest.mark.parametrize('operation', ['load-existing', 'load-missing', 'save'])
def test_a_load_or_save_removes_stale_temporary_files_of_its_file_and_nothing_else(tmp_path, operation):
    path = tmp_path / 'data.json'
    if operation == 'load-existing':
        path.write_bytes(b'[{"id": "1"}]')
    for name in STALE_TEMPORARY_NAMES:
        (tmp_path / name).write_bytes(b'[{"id": "half-writ')
    unrelated = {
        'other.json': b'[]',
        '.other.json.0123456789abcdef.tmp': b'[',
        'data.json.bak': b'[{"id": "backup"}]',
        'notes.tmp': b'notes',
        'data.json.tmp': b'somebody else\'s',
    }
    for name, content in unrelated.items():
        (tmp_path / name).write_bytes(content)
    persister = JsonFilePersister(str(path))

    if operation == 'save':
        persister.save(None, [{'id': '1'}])
    else:
        assert persister.load(None) == ([{'id': '1'}] if operation == 'load-existing' else [])

    expected_files = list(unrelated) + ['.data.json.lock'] + ([] if operation == 'load-missing' else ['data.json'])
    assert sorted(os.listdir(tmp_path)) == sorted(expected_files)
    for name, content in unrelated.items():
        assert (tmp_path / name).read_bytes() == content
