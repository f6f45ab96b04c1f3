"""`scorm-builder check` on packages in the shape real authoring tools export.

Each fixture in tests/fixtures/check/ is a small hand-made package showing one pattern met
in real exports (Captivate, Adapt, eXeLearning, H5P, iSpring, Storyline, Flash-era
courses), with the verdict a careful reviewer gives it: the rules found, with their
severities, and the exit status. Each is checked as a folder and as a zip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm_builder.check import check_path, run_check_command
from tests.package_corpus import make_zip

FIXTURES = Path(__file__).parent / "fixtures" / "check"

# fixture -> (rule, severity) found, and the exit status of `check`.
EXPECTED: dict[str, tuple[set[tuple[str, str]], int]] = {
    # The SCORM wrapper comes in through an XHR script loader: the API is found.
    "script-loader": (set(), 0),
    # <script src="libs\SCORM_API_wrapper.js">: followed (the API is found), and reported.
    "backslash-script": ({("content-backslash-path", "warning")}, 0),
    # A YouTube/Vimeo loader that nothing calls is not launched content.
    "unused-video-loader": ({("content-unreached", "info")}, 0),
    # An old theme page with a Google font, linked from nowhere.
    "orphan-page-font": ({("content-unreached", "info")}, 0),
    # One clear finding, no schema cascade, the 2004 schema folders not listed as stray.
    "scorm-2004": ({("manifest-scorm-2004", "error")}, 1),
    # iSpring's GUIDs start with a digit: LMSs accept them.
    "guid-ids": ({("manifest-identifier-spelling", "warning")}, 0),
    # img/Step-2.png where the package has img/step-2.png: a 404 on the LMS server.
    "missing-image": (
        {("content-missing-file", "error"), ("manifest-unlisted-file", "info")},
        1,
    ),
    # A Flash movie: no current browser plays it.
    "flash-course": ({("content-plugin", "error")}, 1),
    # The wrapper from a CDN: blocked on a hospital network, so the API is never found.
    "cdn-wrapper": (
        {("content-external-url", "error"), ("content-no-scorm-api", "warning")},
        1,
    ),
    # A custom script builds <img src='http://…amazonaws.com/…'> from a string.
    "string-built-image": ({("content-external-url-in-script", "warning")}, 0),
    # 300 nested <div>s, then a CDN script: the HTML5 parser still sees it.
    "deep-nesting": ({("content-external-url", "error")}, 1),
}


def test_every_fixture_has_an_expected_verdict() -> None:
    assert sorted(path.name for path in FIXTURES.iterdir()) == sorted(EXPECTED)


def zipped(folder: Path, tmp_path: Path) -> Path:
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    target = tmp_path / f"{folder.name}.zip"
    target.write_bytes(make_zip(files))
    return target


@pytest.mark.parametrize("form", ["folder", "zip"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gets_the_reviewers_verdict(name: str, form: str, tmp_path: Path, capsys) -> None:
    path = FIXTURES / name if form == "folder" else zipped(FIXTURES / name, tmp_path)
    found, status = EXPECTED[name]
    problems = check_path(path)
    assert {(p.rule, p.severity) for p in problems} == found, [p.describe() for p in problems]
    assert run_check_command(path, "text", strict=False) == status
    capsys.readouterr()


def test_the_scorm_2004_package_says_so_once() -> None:
    [problem] = check_path(FIXTURES / "scorm-2004")
    assert problem.message.startswith("this is a SCORM 2004 package (2004 4th Edition);")
    assert "upload it to the LMS as SCORM 2004" in problem.fix


def test_a_case_only_mismatch_names_the_file_that_is_there() -> None:
    [missing] = [p for p in check_path(FIXTURES / "missing-image") if p.severity == "error"]
    assert (missing.file, missing.line) == ("index.html", 10)
    assert missing.message == (
        "refers to img/Step-2.png, but img/Step-2.png is not in the package (a 404 when loaded)"
    )
    assert "'img/step-2.png': make the case match" in missing.fix


def test_depth_hides_nothing(tmp_path: Path) -> None:
    page = (FIXTURES / "deep-nesting" / "index.html").read_text()
    shallow = page.replace("<div>" * 300, "<div>" * 10).replace("</div>" * 300, "</div>" * 10)
    files = {
        "imsmanifest.xml": (FIXTURES / "deep-nesting" / "imsmanifest.xml").read_bytes(),
        "scorm.js": (FIXTURES / "deep-nesting" / "scorm.js").read_bytes(),
    }
    for depth, text in (("300", page), ("10", shallow)):
        folder = tmp_path / depth
        folder.mkdir()
        for name, data in {**files, "index.html": text.encode()}.items():
            (folder / name).write_bytes(data)
        [problem] = check_path(folder)
        assert (problem.rule, problem.message) == (
            "content-external-url",
            "loads https://cdn.example.com/tracker.js from outside the package;"
            " a locked-down hospital network blocks it",
        )


def test_strict_fails_on_the_backslash_warning_not_on_info(capsys) -> None:
    assert run_check_command(FIXTURES / "backslash-script", "text", strict=True) == 1
    assert run_check_command(FIXTURES / "orphan-page-font", "text", strict=True) == 0
    capsys.readouterr()
