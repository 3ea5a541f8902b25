"""Runs the Python examples of README.md, so that the README cannot promise what the library does not do.

Every fenced block tagged ``python``, ``py``, ``python3`` or ``pycon`` is collected, wherever it
is; a new block is picked up without touching this file. The blocks of one ``##`` section run
in order in one shared namespace (a later block may use what an earlier one of the same section
defined) and each section starts from scratch, in its own temporary directory, which is
both the working directory and where :mod:`tempfile` puts what the examples create. A block
whose first line starts with ``>>>`` runs as a doctest, so the results it shows are checked.
Errors point at the README's own line numbers.
"""

import doctest
import re
import sys
import tempfile
import types
from pathlib import Path
from typing import Dict, List, NamedTuple

import pytest

from support import why_the_container_cannot_be_imported

README = Path(__file__).resolve().parent.parent / 'README.md'
PYTHON_TAGS = {'python', 'py', 'python3', 'pycon'}
FENCE = re.compile(r'^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)')
SECTION = re.compile(r'^##\s+(?P<title>.+?)\s*#*\s*$')


class Block(NamedTuple):
    section: str
    first_line: int  # the README line number of the block's first code line
    code: str


def read_python_blocks(text: str) -> List[Block]:
    """Returns the Python code blocks of a Markdown text, with their section and position."""
    blocks: List[Block] = []
    section = '(before the first section)'
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        opening = FENCE.match(line)
        if opening is None:
            heading = SECTION.match(line)
            if heading is not None:
                section = heading.group('title')
            continue
        fence, indent = opening.group('fence'), len(opening.group('indent'))
        closing = re.compile(r'^ {0,3}' + re.escape(fence[0]) + '{' + str(len(fence)) + r',}\s*$')
        first_line = number + 1
        code_lines = []
        while number < len(lines) and not closing.match(lines[number]):
            # A fence indented by n spaces has its content indented by up to n spaces too.
            code_lines.append(re.sub(r'^ {0,%d}' % indent, '', lines[number]))
            number += 1
        number += 1  # the closing fence
        if opening.group('info').lower() in PYTHON_TAGS:
            blocks.append(Block(section, first_line, '\n'.join(code_lines) + '\n'))
    return blocks


def blocks_by_section() -> Dict[str, List[Block]]:
    sections: Dict[str, List[Block]] = {}
    for block in read_python_blocks(README.read_text(encoding='utf-8')):
        sections.setdefault(block.section, []).append(block)
    return sections


def run_block(block: Block, namespace: Dict[str, object]) -> None:
    if block.code.lstrip().startswith('>>>'):
        run_as_doctest(block, namespace)
    else:
        # Padding with blank lines makes the line numbers of a traceback the README's.
        padded = '\n' * (block.first_line - 1) + block.code
        exec(compile(padded, str(README), 'exec'), namespace)


def run_as_doctest(block: Block, namespace: Dict[str, object]) -> None:
    name = f'README.md, {block.section}, line {block.first_line}'
    test = doctest.DocTestParser().get_doctest(block.code, namespace, name, str(README), block.first_line - 1)
    test.globs = namespace  # DocTest runs in a copy; the section's blocks share one namespace
    report: List[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=report.append, clear_globs=False)
    assert runner.failures == 0, ''.join(report)


SECTIONS = blocks_by_section()


def test_the_readme_has_python_examples() -> None:
    # Guards the collection itself: a broken parser would otherwise test nothing, silently.
    assert SECTIONS, 'no ```python block found in README.md'


def test_blocks_are_found_with_their_sections_and_lines() -> None:
    text = '\n'.join([
        'Intro',                       # 1
        '```python',                   # 2
        'a = 1',                       # 3
        '```',                         # 4
        '## Usage',                    # 5
        '```sh',                       # 6
        'pip install x',               # 7
        '```',                         # 8
        '1. A list item:',             # 9
        '   ````py',                   # 10
        '   b = a',                    # 11
        '   ```',                      # 12
        '   ````',                     # 13
        '## Sessions',                 # 14
        '~~~pycon',                    # 15
        '>>> 1 + 1',                   # 16
        '2',                           # 17
        '~~~',                         # 18
    ])
    assert read_python_blocks(text) == [
        Block('(before the first section)', 3, 'a = 1\n'),
        Block('Usage', 11, 'b = a\n```\n'),
        Block('Sessions', 16, '>>> 1 + 1\n2\n'),
    ]


@pytest.mark.parametrize('section', list(SECTIONS))  # in README order
def test_the_examples_of_a_readme_section_run(
        section: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if any('pip_services3_container' in block.code for block in SECTIONS[section]):
        container_import_failure = why_the_container_cannot_be_imported()
        if container_import_failure is not None:
            pytest.skip(container_import_failure)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))  # tempfile.mkdtemp() in examples too
    # A real module, so that what needs one (dataclasses, pickle, typing.get_type_hints) works.
    module = types.ModuleType('readme_example')
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in SECTIONS[section]:
        run_block(block, module.__dict__)


def test_a_failing_example_points_at_its_readme_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    block = Block('Somewhere', 40, 'x = 1\nraise ValueError(x)\n')
    with pytest.raises(ValueError) as raised:
        run_block(block, {})
    assert raised.traceback[-1].lineno + 1 == 41  # pytest's line numbers count from 0


def test_a_doctest_block_checks_the_printed_results() -> None:
    namespace: Dict[str, object] = {}
    run_block(Block('Sessions', 10, '>>> total = 1 + 1\n>>> total\n2\n'), namespace)
    assert namespace['total'] == 2
    with pytest.raises(AssertionError, match='line 12'):
        run_block(Block('Sessions', 12, '>>> total\n3\n'), namespace)

