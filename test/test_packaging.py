"""The package metadata: exactly the interpreters CI runs the test suite on, and a description that works on PyPI.

``noxfile.py`` lists them; ``setup.py``'s ``python_requires`` and classifiers must agree, so that
neither promises an interpreter nobody tests nor leaves out one that is tested. Both files are
read as source, without importing nox or running setuptools. The description PyPI will show is
read from the installed package's metadata.
"""

import ast
import re
from importlib.metadata import metadata
from pathlib import Path
from typing import Any, Dict, List

REPO_ROOT = Path(__file__).resolve().parent.parent


def setup_arguments() -> Dict[str, Any]:
    tree = ast.parse((REPO_ROOT / 'setup.py').read_text(encoding='utf-8'))
    call = next(node for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, 'id', None) == 'setup')
    return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords
            if keyword.arg in ('python_requires', 'classifiers')}


def interpreters_run_by_nox() -> List[str]:
    tree = ast.parse((REPO_ROOT / 'noxfile.py').read_text(encoding='utf-8'))
    assignment = next(node for node in tree.body if isinstance(node, ast.Assign)
                      and any(getattr(target, 'id', None) == 'PYTHONS' for target in node.targets))
    return ast.literal_eval(assignment.value)


def test_the_classifiers_name_the_tested_python_versions_and_implementations() -> None:
    interpreters = interpreters_run_by_nox()
    classifiers = setup_arguments()['classifiers']
    prefix = 'Programming Language :: Python :: '

    versions = [classifier[len(prefix):] for classifier in classifiers
                if classifier.startswith(prefix + '3.')]
    implementations = {classifier[len(prefix + 'Implementation :: '):] for classifier in classifiers
                       if classifier.startswith(prefix + 'Implementation :: ')}

    assert versions == [interpreter for interpreter in interpreters if not interpreter.startswith('pypy')]
    expected_implementations = {'CPython'} | ({'PyPy'} if any(interpreter.startswith('pypy')
                                                            for interpreter in interpreters) else set())
    assert implementations == expected_implementations


def test_python_requires_starts_at_the_oldest_tested_version() -> None:
    versions = [interpreter for interpreter in interpreters_run_by_nox() if not interpreter.startswith('pypy')]
    oldest = min(versions, key=lambda version: tuple(map(int, version.split('.'))))

    assert setup_arguments()['python_requires'] == f'>={oldest}'


def test_the_description_on_pypi_links_into_the_repository_with_absolute_addresses() -> None:
    """PyPI shows the README away from the repository, where its relative links lead nowhere."""
    installed = metadata('pip-services3-data')
    described = installed.get_payload() or installed['Description']
    readme_links = re.findall(r'\]\(([^)\s]+)\)', (REPO_ROOT / 'README.md').read_text(encoding='utf-8'))
    described_links = re.findall(r'\]\(([^)\s]+)\)', described)

    assert len(described_links) == len(readme_links) > 5
    for readme_link, described_link in zip(readme_links, described_links):
        if readme_link.startswith(('https:', 'http:', '#')):
            assert described_link == readme_link
        else:
            assert described_link.startswith('https://github.com/') and described_link.endswith('/' + readme_link)
