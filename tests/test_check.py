"""`scorm-builder check`: each rule catches its mistake, and only that mistake.

The packages come from tests/package_corpus.py: two valid hand-written packages, the
package our own build makes, and one broken package (or a few) per rule.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorm_builder.check import RULES, Limits, check_files, check_path, run_check_command
from scorm_builder.check.paths import resolve
from scorm_builder.cli import main
from tests.package_corpus import (
    BROKEN,
    REFERENCE_MANIFEST,
    Broken,
    edit,
    make_zip,
    manifest_edit,
    minimal,
    reference,
    write_folder,
)

SOURCE = Path(__file__).resolve().parents[1] / "source"
VALID = {"reference": reference, "minimal": minimal}


def zip_file(tmp_path: Path, data: bytes, name: str = "course.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rules_of(problems) -> set[str]:
    return {problem.rule for problem in problems}


# --- valid packages pass clean ------------------------------------------------------------


@pytest.mark.parametrize("package", VALID)
@pytest.mark.parametrize("form", ["mapping", "zip", "folder"])
def test_valid_package_passes_clean(package: str, form: str, tmp_path: Path) -> None:
    files = VALID[package]()
    if form == "mapping":
        problems = check_files(files)
    elif form == "zip":
        problems = check_path(zip_file(tmp_path, make_zip(files)))
    else:
        problems = check_path(write_folder(files, tmp_path / "unpacked"))
    assert problems == []


def test_the_package_our_build_makes_passes_clean(tmp_path: Path) -> None:
    from scorm_builder.build import build_package
    from scorm_builder.package import zip_bytes

    files = build_package(SOURCE).files
    assert check_files(files) == []
    assert check_path(zip_file(tmp_path, zip_bytes(files))) == []


def test_the_reference_package_holds_urls_that_load_nothing() -> None:
    # These must stay in the reference package, or its clean pass proves nothing about
    # false alarms: a comment, a link, rel=canonical, a URL in a JS string and a CSS comment.
    files = reference()
    page, script, css = (
        files[name].decode()
        for name in ("moments/index.html", "shared/scorm.js", "shared/course.css")
    )
    assert '<!-- <script src="https://' in page
    assert '<a href="https://' in page
    assert 'rel="canonical" href="https://' in page
    assert 'var help = "Questions? https://' in script
    assert "(not https://fonts.googleapis.com)" in css
    assert check_files(files) == []


def test_xml_base_and_data_scripts_are_understood() -> None:
    files = edit(
        minimal(), "imsmanifest.xml", 'href="sco/launch.htm">', 'xml:base="sco/" href="launch.htm">'
    )
    files = edit(
        files,
        "imsmanifest.xml",
        '<file href="sco/launch.htm"/><file href="sco/look.css"/>',
        '<file href="launch.htm"/><file href="look.css"/>',
    )
    files = edit(
        files,
        "sco/launch.htm",
        "<script>",
        '<script type="application/json">{"src": "https://x.org/a.js"}</script>\n<script>',
    )
    assert check_files(files) == []


# --- each broken package is caught by its rule, and by nothing else -----------------------


FOLDER_ONLY = {"folder-special-file"}


def test_the_corpus_breaks_every_rule() -> None:
    assert {case.rule for case in BROKEN} == set(RULES) - FOLDER_ONLY


@pytest.mark.parametrize("case", BROKEN, ids=lambda case: case.id)
def test_broken_zip_is_caught_by_its_rule_only(case: Broken, tmp_path: Path) -> None:
    problems = check_path(zip_file(tmp_path, case.zip()), case.limits)
    assert rules_of(problems) == {case.rule} | case.also, [p.describe() for p in problems]
    assert {p.severity for p in problems if p.rule == case.rule} == {RULES[case.rule]}


IN_MEMORY = [
    case
    for case in BROKEN
    if case.files and not (case.raw_zip or case.zip_only or case.limits != Limits())
]


@pytest.mark.parametrize("case", IN_MEMORY, ids=lambda case: case.id)
def test_broken_files_are_caught_before_zipping(case: Broken) -> None:
    # What the build does: check the mapping it is about to zip.
    problems = check_files(case.files())
    assert rules_of(problems) == {case.rule} | case.also, [p.describe() for p in problems]


def test_broken_folder_is_caught_like_the_zip(tmp_path: Path) -> None:
    files = manifest_edit('identifierref="RES-quiz"', 'identifierref="RES-exam"')
    problems = check_path(write_folder(files, tmp_path / "unpacked"))
    assert rules_of(problems) == {"manifest-unresolved-reference"}


# --- problems point at the file and line to fix -------------------------------------------


def line_of(text: str, marker: str) -> int:
    assert text.count(marker) == 1
    return text[: text.index(marker)].count("\n") + 1


def test_schema_violation_has_the_line_of_the_element() -> None:
    [problem] = check_files(manifest_edit('"RES-shared" type="webcontent"', '"RES-shared"'))
    assert (problem.rule, problem.file) == ("manifest-schema", "imsmanifest.xml")
    assert problem.line == line_of(REFERENCE_MANIFEST, '<resource identifier="RES-shared"')
    assert "'type' is required" in problem.message


def test_masteryscore_problem_has_the_line_of_the_element() -> None:
    [problem] = check_files(manifest_edit(">80</", ">eighty</"))
    assert problem.line == line_of(REFERENCE_MANIFEST, "<adlcp:masteryscore>")
    assert problem.fix


def test_external_urls_have_their_lines_in_pages_and_scripts() -> None:
    # libxml2 gives an HTML element the line where its start tag ends.
    files = edit(
        reference(), "quiz/index.html", "<form", '<img alt=""\n src="https://x.org/a.png"><form'
    )
    files = edit(files, "shared/scorm.js", "var help", 'import("https://x.org/m.js");\nvar help')
    problems = check_files(files)
    assert [(p.rule, p.file, p.line) for p in problems] == [
        (
            "content-external-url",
            "quiz/index.html",
            line_of(files["quiz/index.html"].decode(), 'src="https://x.org'),
        ),
        (
            "content-external-url-in-script",
            "shared/scorm.js",
            line_of(files["shared/scorm.js"].decode(), 'import("'),
        ),
    ]


def test_a_file_whose_name_differs_in_case_gets_a_fix_naming_it() -> None:
    files = reference()
    files["moments/Hands.png"] = files.pop("moments/hands.png")
    [problem] = check_files(files)
    assert problem.rule == "manifest-missing-file"
    assert "moments/Hands.png" in problem.fix


# --- the zip is read safely ---------------------------------------------------------------


def test_the_zip_is_never_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the checker must not extract to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    case = next(case for case in BROKEN if case.id == "zip-unsafe-path:dot-dot")
    inner = tmp_path / "inner"
    inner.mkdir()
    assert rules_of(check_path(zip_file(inner, case.zip()))) == {"zip-unsafe-path"}
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["course.zip", "inner"]


def test_a_zip_over_the_limits_is_not_decompressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the bomb guard must act before decompressing")

    path = zip_file(tmp_path, make_zip(reference()))
    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    problems = check_path(path, Limits(max_total_bytes=1000))
    assert rules_of(problems) == {"zip-too-large"}


# --- the command: report, JSON, exit status -----------------------------------------------

JSON_KEYS = {"path", "ok", "errors", "warnings", "info", "problems"}
PROBLEM_KEYS = {"rule", "severity", "file", "line", "message", "fix"}


def run(path: Path, capsys, output_format: str = "text", strict: bool = False):
    status = run_check_command(path, output_format, strict)
    out, err = capsys.readouterr()
    return status, out, err


def test_json_output_has_the_documented_shape(tmp_path: Path, capsys) -> None:
    files = {**manifest_edit(">80</", ">800</"), "moments/notes.txt": b"todo"}
    path = zip_file(tmp_path, make_zip(files))
    status, out, _ = run(path, capsys, "json")
    report = json.loads(out)
    assert status == 1
    assert set(report) == JSON_KEYS
    assert (
        report["path"],
        report["ok"],
        report["errors"],
        report["warnings"],
        report["info"],
    ) == (str(path), False, 1, 0, 1)
    assert [set(problem) for problem in report["problems"]] == [PROBLEM_KEYS, PROBLEM_KEYS]
    by_rule = {problem["rule"]: problem for problem in report["problems"]}
    assert by_rule["manifest-masteryscore"] == {
        "rule": "manifest-masteryscore",
        "severity": "error",
        "file": "imsmanifest.xml",
        "line": line_of(REFERENCE_MANIFEST, "<adlcp:masteryscore>"),
        "message": "adlcp:masteryscore '800' is not a number from 0 to 100",
        "fix": by_rule["manifest-masteryscore"]["fix"],
    }
    assert by_rule["manifest-unlisted-file"]["severity"] == "info"
    assert by_rule["manifest-unlisted-file"]["file"] == "imsmanifest.xml"
    assert by_rule["manifest-unlisted-file"]["line"] is None
    assert all(problem["fix"] for problem in report["problems"])


def test_json_output_of_a_clean_package(tmp_path: Path, capsys) -> None:
    status, out, _ = run(zip_file(tmp_path, make_zip(minimal())), capsys, "json")
    assert status == 0
    assert json.loads(out) == {
        "path": str(tmp_path / "course.zip"),
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "info": 0,
        "problems": [],
    }


def test_text_report_names_place_rule_and_fix(tmp_path: Path, capsys) -> None:
    path = zip_file(tmp_path, make_zip(manifest_edit(">80</", ">800</")))
    status, out, _ = run(path, capsys)
    line = line_of(REFERENCE_MANIFEST, "<adlcp:masteryscore>")
    assert status == 1
    assert f"imsmanifest.xml:{line}: error [manifest-masteryscore] " in out
    assert "\n    fix: " in out
    assert out.rstrip().endswith(f"{path}: 1 error, 0 warnings: FAILED")


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys) -> None:
    path = zip_file(tmp_path, make_zip(manifest_edit(">80</", "></")))
    assert run(path, capsys)[0] == 0
    status, out, _ = run(path, capsys, "json", strict=True)
    assert (status, json.loads(out)["ok"]) == (1, False)


def test_info_never_fails_not_even_with_strict(tmp_path: Path, capsys) -> None:
    path = zip_file(tmp_path, make_zip({**reference(), "moments/notes.txt": b"todo"}))
    status, out, _ = run(path, capsys, strict=True)
    assert status == 0
    assert "imsmanifest.xml: info [manifest-unlisted-file] 1 file(s) are in the package" in out
    assert out.rstrip().endswith(f"{path}: 0 errors, 0 warnings, 1 info: OK")


def test_a_file_that_is_not_a_zip_is_a_finding_not_a_crash(tmp_path: Path, capsys) -> None:
    status, out, _ = run(zip_file(tmp_path, b"<html>404</html>"), capsys)
    assert status == 1
    assert "[zip-unreadable]" in out


def test_a_missing_path_exits_2(tmp_path: Path, capsys) -> None:
    status, out, err = run(tmp_path / "nothing.zip", capsys, "json")
    assert (status, out) == (2, "")
    assert "nothing.zip" in err


def test_an_unknown_format_exits_2(tmp_path: Path, capsys) -> None:
    status, out, err = run(zip_file(tmp_path, make_zip(minimal())), capsys, "xml")
    assert (status, out) == (2, "")
    assert "xml" in err


def test_the_cli_runs_the_check(tmp_path: Path, capsys) -> None:
    path = zip_file(tmp_path, make_zip(manifest_edit('default="ORG-hand-hygiene"', 'default="X"')))
    assert main(["check", str(path), "--format", "json"]) == 1
    [problem] = json.loads(capsys.readouterr().out)["problems"]
    assert problem["rule"] == "manifest-unresolved-reference"


# --- what the build passes ----------------------------------------------------------------


def test_generated_files_are_not_parsed_but_count_as_reaching_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scorm_builder.check import pages

    files = edit(
        reference(), "quiz/index.html", "<form", '<img src="https://x.org/a.png" alt=""><form'
    )
    assert rules_of(check_files(files)) == {"content-external-url"}
    parsed: list[bytes] = []
    parse = pages.parse_html
    monkeypatch.setattr(pages, "parse_html", lambda data: parsed.append(data) or parse(data))
    generated = frozenset(name for name in files if name.endswith((".html", ".js", ".css")))
    assert check_files(files, generated=generated) == []
    assert parsed == []


@settings(max_examples=2000, derandomize=True)
@given(st.text(alphabet="aZ09_-./%?#:\\ ~é", max_size=24), st.sampled_from(["", "lesson", "a/b"]))
def test_a_link_resolves_to_the_same_name_on_the_quick_path_and_the_full_one(
    url: str, base: str
) -> None:
    """Most links are already package names (`lesson-1/index.html`) and are taken as they are;
    every other link goes the whole way (decoded, joined, normalised): the same names."""
    assert resolve(base, url) == _resolve_the_whole_way(base, url)


def _resolve_the_whole_way(base_dir: str, url: str) -> str | None:
    import posixpath
    from urllib.parse import unquote, urlsplit

    path = unquote(urlsplit(url.strip().replace("\\", "/")).path)
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(base_dir, path))
    return None if joined.startswith(("../", "/")) or joined == ".." else joined


def test_identifiers_are_judged_by_the_xs_id_rule_as_written_for_every_character() -> None:
    """The checker's pattern spells U+00C0..U+FFFF so that it compiles fast; it must accept
    exactly what the rule as one reads it accepts, first character and later ones."""
    import re

    from scorm_builder.check.manifest import _XML_ID

    as_written = re.compile(r"[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*")
    # Every character of the Basic Multilingual Plane, and a sample of those beyond it.
    for code in [*range(0x10000), *range(0x10000, 0x110000, 251)]:
        char = chr(code)
        for identifier in (char, f"a{char}", f"{char}a"):
            expected = as_written.fullmatch(identifier) is not None
            assert (_XML_ID.fullmatch(identifier) is not None) == expected, hex(code)
