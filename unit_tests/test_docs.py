"""The documentation stands on its own: the Airbyte UI's "docs" link leads to this connector's own
page, and the Markdown files link only to files of this repository or to public pages.

`metadata.yaml`'s `documentationUrl` is what the Airbyte UI opens; it must be the project URL
declared once in `pyproject.toml`, and never the page of Airbyte's other Aha! connector (which
syncs other streams, in full refresh only). The Markdown checks catch what a user cannot follow:
a relative link to a file or heading that does not exist, a path on a development machine, or a
link into a directory outside the repository.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_ROOT = Path(__file__).resolve().parent.parent
# Airbyte's pages for its own Aha! connector (definition 81ca39dc-...), on GitHub and on its site.
_AIRBYTES_AHA_PAGES = (
    re.compile(r"github\.com/airbytehq/airbyte/.*/docs/integrations/sources/aha\.md"),
    re.compile(r"docs\.airbyte\.com/integrations/sources/aha\b"),
)
_DOCUMENTS = sorted(
    [_ROOT / "README.md", _ROOT / "CONTRIBUTING.md", *(_ROOT / "docs").glob("*.md")]
)
# Roots of paths on a developer's machine (POSIX, macOS, Windows); container paths in the
# Docker commands (`/secrets/config.json`) and API paths (`/api/v1/ideas`) are not among them.
_MACHINE_PATH = re.compile(
    r"(?<![\w.:/@-])/(?:work|home|Users|tmp|root|mnt|opt|var|etc|usr|srv|private)/"
    r"|\b[A-Za-z]:\\|file://"
)
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def project_urls() -> dict[str, str]:
    with (_ROOT / "pyproject.toml").open("rb") as file:
        urls: dict[str, str] = tomllib.load(file)["project"]["urls"]
    return urls


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((_ROOT / "metadata.yaml").read_text(encoding="utf-8"))[
        "data"
    ]
    return data


def github_anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def prose(path: Path) -> str:
    """The file without its fenced code blocks, whose `#` lines and brackets are not Markdown."""
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    return {github_anchor(heading) for heading in _HEADING.findall(prose(path))}


def relative_links(path: Path) -> list[str]:
    return [
        target
        for target in _INLINE_LINK.findall(prose(path))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)
    ]


def _document_id(path: Path) -> str:
    return str(path.relative_to(_ROOT))


# The documentation URL -------------------------------------------------------------------------


def test_given_pyproject_then_documentation_url_is_the_metadata_documentation_url(
    project_urls, metadata
):
    assert metadata["documentationUrl"] == project_urls["Documentation"]


def test_given_manifest_then_spec_documentation_url_is_the_project_documentation_url(
    project_urls,
):
    manifest = yaml.safe_load((_ROOT / "manifest.yaml").read_text(encoding="utf-8"))
    assert manifest["spec"]["documentation_url"] == project_urls["Documentation"]


def test_given_pyproject_then_documentation_url_is_a_page_of_the_project_homepage(project_urls):
    assert project_urls["Homepage"].startswith("https://")
    assert project_urls["Documentation"].startswith(project_urls["Homepage"].rstrip("/") + "/")


@pytest.mark.parametrize("source", ["pyproject", "metadata"])
def test_given_documentation_url_then_it_is_not_airbytes_page_for_its_other_aha_connector(
    source, project_urls, metadata
):
    url = project_urls["Documentation"] if source == "pyproject" else metadata["documentationUrl"]
    assert not any(page.search(url) for page in _AIRBYTES_AHA_PAGES), url


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/airbytehq/airbyte/blob/master/docs/integrations/sources/aha.md",
        "https://docs.airbyte.com/integrations/sources/aha",
    ],
)
def test_given_airbytes_aha_pages_then_the_check_recognises_them(url):
    assert any(page.search(url) for page in _AIRBYTES_AHA_PAGES)


# The Markdown files ----------------------------------------------------------------------------


def test_given_the_repository_then_user_contributor_and_api_documents_exist():
    names = {_document_id(path) for path in _DOCUMENTS}
    assert {"README.md", "CONTRIBUTING.md", "docs/aha-api.md", "docs/performance.md"} <= names


@pytest.mark.parametrize("path", _DOCUMENTS, ids=_document_id)
def test_given_document_then_it_does_not_point_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    machine_paths = [match.group(0) for match in _MACHINE_PATH.finditer(text)]
    assert machine_paths == []


def resolves(path: Path, target: str) -> bool:
    """Whether a relative link of `path` names a file (and heading) inside the repository."""
    file_part, _, fragment = target.partition("#")
    linked = (path.parent / file_part).resolve() if file_part else path
    if not linked.is_relative_to(_ROOT) or not linked.exists():
        return False
    return not fragment or linked.suffix != ".md" or fragment in anchors(linked)


@pytest.mark.parametrize("path", _DOCUMENTS, ids=_document_id)
def test_given_document_then_every_relative_link_resolves_in_the_repository(path):
    assert [target for target in relative_links(path) if not resolves(path, target)] == []


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        pytest.param("docs/aha-api.md#9-assumptions", True, id="file_and_heading"),
        pytest.param("#streams-and-sync-modes", True, id="heading_of_the_same_file"),
        pytest.param("docs/missing.md", False, id="missing_file"),
        pytest.param("docs/aha-api.md#no-such-heading", False, id="missing_heading"),
        pytest.param("../README.md", False, id="outside_the_repository"),
    ],
)
def test_given_link_of_the_readme_then_resolution_is_checked(target, ok):
    assert resolves(_ROOT / "README.md", target) is ok


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("see `/work/main/docs/x.md`", ["/work/"], id="posix_machine_path"),
        pytest.param("[notes](/home/dev/notes.md)", ["/home/"], id="link_to_a_home_directory"),
        pytest.param(r"C:\Users\dev\aha", ["C:\\"], id="windows_path"),
        pytest.param("--config /secrets/config.json", [], id="container_path"),
        pytest.param("`GET /api/v1/ideas`", [], id="api_path"),
        pytest.param("https://example.com/tmp/page", [], id="url_path"),
    ],
)
def test_given_text_then_machine_paths_are_found(text, found):
    assert [match.group(0) for match in _MACHINE_PATH.finditer(text)] == found


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("9. Assumptions", "9-assumptions"),
        ("Streams and sync modes", "streams-and-sync-modes"),
        (
            "3. Unit tests: `unit_tests/mock_server/test_idea_portals.py` and its template",
            "3-unit-tests-unit_testsmock_servertest_idea_portalspy-and-its-template",
        ),
    ],
)
def test_given_heading_then_github_anchor_is_computed(heading, anchor):
    assert github_anchor(heading) == anchor


def test_given_readme_then_the_demo_and_test_commands_come_first():
    text = (_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = _FENCE.search(text)
    assert first_block is not None
    assert first_block.start() < text.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(0).splitlines()[1:-1]]
    assert commands == ["make demo", "make test-all"]
