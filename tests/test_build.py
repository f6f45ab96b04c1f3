"""Building the course sources into a SCORM 1.2 zip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from scorm_builder.build import build
from scorm_builder.cli import main
from scorm_builder.schema import (
    ADLCP_NS,
    IMSCP_NS,
    IMSMD_NS,
    SCHEMA_DIR,
    SCHEMA_FILES,
    validate_manifest,
)
from tests.course_factory import (
    DEFAULT_SOURCE,
    PNG,
    ROOT,
    copy_default_course,
    two_lesson_course,
)

NS = {"cp": IMSCP_NS, "adlcp": ADLCP_NS}
SHARED_SCHEMAS = ROOT.parent / "shared" / "scorm12-schemas"


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def manifest_of(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["imsmanifest.xml"])


@pytest.fixture(scope="module")
def default_zip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("dist")
    result = build(DEFAULT_SOURCE, out)
    [(path, _, _)] = result.written
    assert path == out / "ai-basics-for-clinicians.zip"
    return read_zip(path)


def test_the_manifest_is_valid_against_the_scorm_12_schemas(default_zip):
    assert validate_manifest(manifest_of(default_zip)) == []


def test_the_validator_rejects_what_the_schemas_forbid(default_zip):
    manifest = manifest_of(default_zip)
    resource = manifest.find(".//cp:resource", NS)
    resource.set(f"{{{ADLCP_NS}}}scormtype", "SCO")  # must be lowercase
    del resource.attrib["type"]
    messages = " ".join(v.message for v in validate_manifest(manifest))
    assert "scormtype" in messages and "'type' is required" in messages


def test_the_course_description_is_the_packages_lom_description(default_zip):
    manifest = manifest_of(default_zip)
    md = {"md": IMSMD_NS}
    [text] = manifest.findall("cp:metadata/md:lom/md:general/md:description/md:langstring", NS | md)
    assert (
        text.text
        == "臨床スタッフ向けに、大規模言語モデル（LLM）の基本的な仕組みと限界を学ぶコースです。"
    )
    assert text.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    assert validate_manifest(manifest) == []


def test_without_a_description_the_metadata_has_no_lom(tmp_path):
    source = copy_default_course(tmp_path / "source")
    settings = source / "course.toml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    settings.write_text("".join(line for line in lines if not line.startswith("description")))
    [(path, _, _)] = build(source, tmp_path / "dist").written
    manifest = manifest_of(read_zip(path))
    assert manifest.find(f".//{{{IMSMD_NS}}}lom") is None
    assert validate_manifest(manifest) == []


@pytest.mark.skipif(not SHARED_SCHEMAS.is_dir(), reason="../shared is not beside this checkout")
def test_the_shipped_schemas_are_exact_copies_of_the_reference_files(default_zip):
    for name in SCHEMA_FILES:
        reference = (SHARED_SCHEMAS / name).read_bytes()
        assert (SCHEMA_DIR / name).read_bytes() == reference
        assert default_zip[name] == reference  # at the zip root, as packages conventionally do


def test_the_manifest_has_one_sco_per_lesson_with_the_mastery_score(default_zip):
    manifest = manifest_of(default_zip)
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    assert manifest.nsmap["adlcp"] == ADLCP_NS
    organizations = manifest.find("cp:organizations", NS)
    [organization] = organizations.findall("cp:organization", NS)
    assert organizations.get("default") == organization.get("identifier")
    [item] = organization.findall("cp:item", NS)
    assert item.findtext("cp:title", namespaces=NS) == "大規模言語モデル（LLM）の基礎"
    assert item.findtext("adlcp:masteryscore", namespaces=NS) == "80"

    sco = manifest.find(f"cp:resources/cp:resource[@identifier='{item.get('identifierref')}']", NS)
    assert sco.get(f"{{{ADLCP_NS}}}scormtype") == "sco"
    assert sco.get("href") == "llm-basics/index.html"
    [dependency] = sco.findall("cp:dependency", NS)
    shared = manifest.find(
        f"cp:resources/cp:resource[@identifier='{dependency.get('identifierref')}']", NS
    )
    assert shared.get(f"{{{ADLCP_NS}}}scormtype") == "asset"
    shared_files = {f.get("href") for f in shared.findall("cp:file", NS)}
    assert {"shared/runtime.js", "shared/course.css"} <= shared_files


def test_every_listed_file_is_in_the_zip_and_every_entry_is_listed(default_zip):
    manifest = manifest_of(default_zip)
    listed = {f.get("href") for f in manifest.iterfind(".//cp:file", NS)}
    control_files = {"imsmanifest.xml", *SCHEMA_FILES}
    assert listed == set(default_zip) - control_files
    for resource in manifest.iterfind(".//cp:resource", NS):
        if resource.get("href"):
            assert resource.get("href") in default_zip


def test_the_zip_is_safe_for_any_lms(tmp_path):
    out = tmp_path / "dist"
    [(path, _, _)] = build(DEFAULT_SOURCE, out).written
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "imsmanifest.xml"
    for info in infos:
        assert info.filename.isascii()
        assert not info.filename.startswith("/") and ".." not in info.filename.split("/")
        assert "\\" not in info.filename
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o644


def test_the_same_sources_give_the_same_bytes(tmp_path):
    first = build(DEFAULT_SOURCE, tmp_path / "one").written[0][0].read_bytes()
    copy = copy_default_course(tmp_path / "copy")
    for path in copy.rglob("*"):
        path.touch()  # newer modification times must not change the package
    second = build(copy, tmp_path / "two").written[0][0].read_bytes()
    assert first == second


def test_lesson_sections_become_pages_and_rules_between_them_vanish(default_zip):
    page = default_zip["llm-basics/index.html"].decode("utf-8")
    assert page.count('<section class="page') == 7  # 6 sections and the quiz
    assert page.count("<h1") == 1
    assert '<h2 id="page-1-title" tabindex="-1">🎯 このレッスンで学ぶこと</h2>' in page
    # The seed's '---' lines only separate sections; the one before the closing date remains.
    assert page.count("<hr") == 1
    assert "<strong>更新日</strong>: 2025年12月" in page


def test_a_two_lesson_course_has_two_scos_in_course_order(tmp_path):
    source = two_lesson_course(tmp_path / "source")
    [(path, package, _)] = build(source, tmp_path / "dist").written
    files = read_zip(path)
    manifest = manifest_of(files)
    items = manifest.findall(".//cp:item", NS)
    assert [i.get("identifier") for i in items] == ["ITEM-llm-basics", "ITEM-infection-control"]
    assert validate_manifest(manifest) == []
    assert package.page_count == 7 + 3 and package.question_count == 10 + 2

    second = files["infection-control/index.html"].decode("utf-8")
    # The table scrolls in its own box and the image was copied under an ASCII name.
    [box] = lxml.html.fromstring(second).find_class("table-scroll")
    assert (box.tag, box.get("tabindex"), box.get("role")) == ("div", "0", "region")
    assert box.get("aria-label") == "表"  # the course language's word, from its strings
    assert "<td>患者に触れる前</td>" in second
    # Media are named by content: see test_media_are_named_by_their_content.
    image = f"media/handwash-{hashlib.sha256(PNG).hexdigest()[:10]}.png"
    assert f'<img alt="手洗いの手順" src="{image}">' in second
    assert files[f"infection-control/{image}"] == PNG
    sco = manifest.find(".//cp:resource[@identifier='RES-infection-control']", NS)
    assert {f.get("href") for f in sco.findall("cp:file", NS)} == {
        "infection-control/index.html",
        f"infection-control/{image}",
    }
    # A footnote defined at the end of its section is rendered on that page.
    assert "外すときは手袋を先に外します。" in second


def test_media_are_named_by_their_content(tmp_path):
    source = two_lesson_course(tmp_path / "source")
    lessons = source / "lessons"
    (lessons / "img").mkdir()
    (lessons / "img" / "handwash.png").write_bytes(PNG + b"another picture")
    lesson = lessons / "infection-control.md"
    lesson.write_text(
        lesson.read_text() + "\n![同じ名前の別の図](img/handwash.png)\n![同じ図](handwash.png)\n"
    )
    [(path, _, _)] = build(source, tmp_path / "dist").written
    media = {n: d for n, d in read_zip(path).items() if "/media/" in n}
    # Two different files called handwash.png stay two; the one used twice is packed once.
    assert sorted(media.values()) == sorted([PNG, PNG + b"another picture"])


def test_images_with_japanese_names_get_ascii_names(tmp_path):
    source = two_lesson_course(tmp_path / "source")
    lesson = source / "lessons" / "infection-control.md"
    (source / "lessons" / "handwash.png").rename(source / "lessons" / "手洗い.png")
    lesson.write_text(lesson.read_text().replace("handwash.png", "手洗い.png"))
    [(path, _, _)] = build(source, tmp_path / "dist").written
    names = [n for n in read_zip(path) if "/media/" in n]
    assert len(names) == 1 and names[0].isascii() and names[0].endswith(".png")


def test_external_links_open_in_a_new_window(tmp_path):
    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    lesson.write_text(
        lesson.read_text().replace(
            "### パラメータとは", "[厚生労働省](https://www.mhlw.go.jp/)\n\n### パラメータとは"
        )
    )
    [(path, _, _)] = build(source, tmp_path / "dist").written
    page = lxml.html.fromstring(read_zip(path)["llm-basics/index.html"])
    [link] = page.xpath("//a[text()='厚生労働省']")
    assert link.get("href") == "https://www.mhlw.go.jp/"
    assert (link.get("target"), link.get("rel")) == ("_blank", "noopener noreferrer")


def test_split_makes_one_zip_per_lesson(tmp_path):
    source = two_lesson_course(tmp_path / "source")
    written = build(source, tmp_path / "dist", split=True).written
    names = [path.name for path, _, _ in written]
    assert names == [
        "ai-basics-for-clinicians-llm-basics.zip",
        "ai-basics-for-clinicians-infection-control.zip",
    ]
    for path, _, _ in written:
        files = read_zip(path)
        manifest = manifest_of(files)
        assert validate_manifest(manifest) == []
        assert len(manifest.findall(".//cp:item", NS)) == 1
    assert "infection-control/index.html" not in read_zip(written[0][0])


def test_the_command_builds_the_default_course_and_reports_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["build", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"built {tmp_path}/ai-basics-for-clinicians.zip" in out
    assert "1 lesson(s), 7 pages, 10 questions" in out
    assert zipfile.is_zipfile(io.BytesIO((tmp_path / "ai-basics-for-clinicians.zip").read_bytes()))


def test_python_dash_m_runs_the_same_command(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "scorm_builder", "build", str(DEFAULT_SOURCE), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ai-basics-for-clinicians.zip").is_file()


def test_a_build_imports_the_html5_parser_and_the_process_pool_only_when_it_needs_them(tmp_path):
    """Together with the http, email, ssl, subprocess and socket modules they bring in, they
    are a third of the time a build takes to start: a one-lesson course in Markdown alone
    (an author's rebuild after an edit) loads neither. Nor does it look up Markdown's
    extensions among the installed packages (importlib.metadata)."""
    import subprocess
    import sys

    script = (
        "import sys\nfrom pathlib import Path\nfrom scorm_builder.build import build\n"
        "source, output = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "build(source, output / 'dist', cache_dir=output / 'cache')\n"
        "heavy = ('html5lib', 'http.client', 'multiprocessing', 'concurrent.futures.process',"
        " 'importlib.metadata')\n"
        "print(' '.join(name for name in heavy if name in sys.modules))\n"
    )

    def imported(source: Path, output: Path) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, str(source), str(output)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert imported(DEFAULT_SOURCE, tmp_path / "markdown") == ""
    with_html = copy_default_course(tmp_path / "with-html")
    lesson = with_html / "lessons" / "llm-basics.md"
    details = "\n<details><summary>詳しく</summary>補足です。</details>\n"
    lesson.write_text(lesson.read_text(encoding="utf-8") + details, encoding="utf-8")
    assert imported(with_html, tmp_path / "html") == "html5lib http.client"


def test_a_lesson_may_not_be_named_like_the_shared_folder(tmp_path, capsys):
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.md").rename(source / "lessons" / "shared.md")
    (source / "lessons" / "llm-basics.quiz.toml").unlink()
    settings = source / "course.toml"
    settings.write_text(settings.read_text().replace('["llm-basics"]', '["shared"]'))
    assert main(["build", str(source), "-o", str(tmp_path / "dist")]) == 1
    assert (
        f"{source}/course.toml:9: error: the lesson name 'shared' is reserved: the package keeps "
        "its shared files in 'shared/'\n"
        "    fix: rename lessons/shared.md (for example to shared-lesson.md) and list that name\n"
    ) in (err := capsys.readouterr().err)
    assert "build failed: 1 error(s), 0 warning(s)" in err
    assert not (tmp_path / "dist").exists()


def test_a_line_break_inside_a_japanese_paragraph_is_not_a_space(tmp_path):
    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    lesson.write_text(
        lesson.read_text()
        + "\n## 改行\n\n手指衛生の後、\n患者に触れます。\nThen English\ncontinues.\n\n"
        + "**強調**\nです。\n\n```\n行1\n行2\n```\n"
    )
    [(path, _, _)] = build(source, tmp_path / "dist").written
    page = read_zip(path)["llm-basics/index.html"].decode()
    assert "手指衛生の後、患者に触れます。" in page
    assert "Then English\ncontinues." in page  # spaces between English words stay
    assert "<strong>強調</strong>です。" in page  # across inline markup too
    assert "行1\n行2" in page  # code keeps its lines


def test_the_package_is_the_same_whatever_the_number_of_workers(tmp_path):
    from benchmarks.generator import make_course

    source = make_course(tmp_path / "course", 24)  # enough lessons for the pool to start
    zips = []
    for jobs in (1, 2, 3):
        out = tmp_path / f"dist-{jobs}"
        [(path, _, _)] = build(source, out, jobs=jobs, cache_dir=tmp_path / f"cache-{jobs}").written
        zips.append(path.read_bytes())
    assert zips[0] == zips[1] == zips[2]


def test_the_workers_share_the_parents_objects_frozen_and_the_parent_unfreezes_them():
    """Frozen while the pool runs, the parent's objects are never written to by a worker's
    collector (their pages stay shared); after the pool, the parent collects them again."""
    import gc

    from scorm_builder.workers import MIN_ITEMS_PER_WORKER, Workers

    with Workers(2) as workers:
        frozen_in_workers = workers.map(_frozen_count, range(4 * MIN_ITEMS_PER_WORKER))
    assert min(frozen_in_workers) > 1000  # the modules, the course read so far...
    assert gc.get_freeze_count() == 0


def _frozen_count(_: int) -> int:
    import gc

    return gc.get_freeze_count()


def test_problems_come_in_the_same_order_whatever_the_number_of_workers(tmp_path):
    from benchmarks.generator import make_course
    from scorm_builder.problems import BuildError

    source = make_course(tmp_path / "course", 24)
    for number in (3, 11, 20):
        lesson = source / "lessons" / f"lesson-{number:04d}.md"
        lesson.write_text(lesson.read_text(encoding="utf-8") + "\n## \n", encoding="utf-8")
        quiz = source / "lessons" / f"lesson-{number + 1:04d}.quiz.toml"
        quiz.write_text(quiz.read_text(encoding="utf-8").replace('type = "single"', 'type = "x"'))
    found = []
    for jobs in (1, 2):
        with pytest.raises(BuildError) as failure:
            build(source, tmp_path / "dist", jobs=jobs, cache_dir=tmp_path / "cache")
        found.append([(p.file, p.line, p.rule) for p in failure.value.problems])
    assert found[0] == found[1]
    assert [file for file, _, _ in found[0][:2]] == [
        "lessons/lesson-0003.md",
        "lessons/lesson-0004.quiz.toml",
    ]


def test_the_number_of_workers_can_be_set_or_refused(tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "dist")
    assert main(["build", str(DEFAULT_SOURCE), "-o", out, "-j", "1"]) == 0
    assert main(["build", str(DEFAULT_SOURCE), "-o", out, "-j", "two"]) == 2
    assert "'two' is not a number of jobs" in capsys.readouterr().err
    monkeypatch.setenv("SCORM_BUILDER_JOBS", "-3")
    assert main(["build", str(DEFAULT_SOURCE), "-o", out]) == 2
    assert "SCORM_BUILDER_JOBS: '-3' is not a number of jobs" in capsys.readouterr().err


def test_the_check_subcommand_has_its_options_after_a_language_option(tmp_path, capsys):
    [(path, _, _)] = build(DEFAULT_SOURCE, tmp_path / "dist").written
    assert main(["--lang", "en", "check", str(path), "--format", "json"]) == 0
    assert '"ok": true' in capsys.readouterr().out


def test_a_quiz_whose_saved_progress_cannot_fit_stops_the_build(tmp_path, capsys):
    from tests.test_suspend_budget import course_with_questions

    source = course_with_questions(tmp_path / "source", 400)
    assert main(["build", str(source), "-o", str(tmp_path / "dist")]) == 1
    error = capsys.readouterr().err
    assert "llm-basics.quiz.toml: error: a learner's saved progress in this quiz could" in error
    assert not (tmp_path / "dist").exists()


def test_a_near_miss_quiz_name_is_one_error_not_also_a_quiz_of_no_lesson(tmp_path: Path) -> None:
    from scorm_builder.sources import read_sources

    source = copy_default_course(tmp_path / "source")
    lessons = source / "lessons"
    (lessons / "llm-basics-v2.quiz.toml").write_bytes(
        (lessons / "llm-basics.quiz.toml").read_bytes()
    )
    problems = read_sources(source).folder_problems
    assert [(p.rule, p.severity, p.file) for p in problems] == [
        ("quiz-misnamed", "error", "lessons/llm-basics-v2.quiz.toml")
    ]
    assert "the quiz read is llm-basics.quiz.toml" in problems[0].message


def test_a_lesson_file_that_is_a_pipe_is_reported_not_a_hang(tmp_path: Path) -> None:
    """The build digests the lesson's files before the reader sees them: a FIFO must not
    be read there (it would wait forever) but reach the reader, which reports it."""
    import os
    import subprocess
    import sys

    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    lesson.unlink()
    os.mkfifo(lesson)
    command = [sys.executable, "-m", "scorm_builder", "build", str(source)]
    command += ["-o", str(tmp_path / "dist")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "this is not a plain file (a folder, a pipe or a device)" in done.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_the_cache_digests_only_plain_files(tmp_path: Path) -> None:
    import os

    from scorm_builder.cache import file_digest

    os.mkfifo(tmp_path / "pipe.png")  # read, it would wait forever
    assert file_digest(tmp_path / "pipe.png") == ""
    (tmp_path / "a.png").write_bytes(PNG)
    assert file_digest(tmp_path / "a.png") == hashlib.sha256(PNG).hexdigest()


def test_control_characters_in_a_problem_are_printed_as_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link decoded to ESC ]0;… BEL would retitle the author's terminal if printed raw."""
    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n![図](a%1b]0;pwned%07b%E2%80%AE.png)\n", encoding="utf-8")
    assert main(["build", str(source), "-o", str(tmp_path / "dist")]) == 1
    stderr = capsys.readouterr().err
    assert "\x1b" not in stderr and "\x07" not in stderr and "\u202e" not in stderr
    assert "a\\x1b]0;pwned\\x07b\\u202e.png" in stderr


def test_a_quiz_with_an_objective_pass_mark_ships_without_a_mastery_score(tmp_path: Path) -> None:
    """Moodle's "mastery score overrides status" recomputes passed from score.raw alone:
    with it, 83 points overall would pass a learner who failed an objective set at 100."""
    source = two_lesson_course(tmp_path / "source")
    quiz = source / "lessons" / "infection-control.quiz.toml"
    text = quiz.read_text(encoding="utf-8")
    objective = '[[objectives]]\nid = "hands"\ntitle = "手指衛生"\npass_mark = 100\n\n'
    quiz.write_text(
        objective + text.replace("[[questions]]", '[[questions]]\nobjective = "hands"'),
        encoding="utf-8",
    )
    [(path, _, _)] = build(source, tmp_path / "dist").written
    items = manifest_of(read_zip(path)).findall(".//cp:item", NS)
    scores = {
        i.findtext("cp:title", namespaces=NS): i.find("adlcp:masteryscore", NS) for i in items
    }
    [(_, first), (_, second)] = scores.items()
    assert first is not None and first.text == "80"  # llm-basics: no objectives
    assert second is None  # infection-control: an objective with its own pass mark


def test_numbers_in_the_manifest_and_the_page_are_never_written_with_an_exponent() -> None:
    from scorm_builder.manifest import ScoEntry, write_manifest
    from scorm_builder.render import _plain, figure
    from scorm_builder.sources import read_course

    settings = read_course(DEFAULT_SOURCE)[0].settings
    sco = ScoEntry("llm-basics", "LLM", "llm-basics/index.html", ("llm-basics/index.html",), 1e-05)
    manifest = etree.fromstring(write_manifest(settings, "course", "Course", [sco], []))
    assert manifest.findtext(".//adlcp:masteryscore", namespaces=NS) == "0.00001"
    assert [_plain(1e-07), _plain("2.50"), _plain(1e16)] == [
        "0.0000001",
        "2.5",
        "10000000000000000",
    ]
    assert [figure(80), figure(85.71), figure(1e16)] == ["80", "85.7", "10000000000000000"]


def test_a_checker_note_is_no_warning_and_does_not_fail_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checker's notes ("info", such as a file the manifest does not list) are for a
    reviewer: the build shows them but counts them as nothing."""
    from scorm_builder import build as build_module
    from scorm_builder.problems import Problem

    real = build_module.check_files

    def with_a_note(files, **kwargs):  # noqa: ANN001, ANN202
        note = Problem("manifest-unlisted-file", "info", "notes.txt", "not listed")
        return [*real(files, **kwargs), note]

    monkeypatch.setattr(build_module, "check_files", with_a_note)
    source = copy_default_course(tmp_path / "source")
    assert main(["build", str(source), "-o", str(tmp_path / "dist"), "--strict"]) == 0
    stderr = capsys.readouterr().err
    assert "notes.txt: info: not listed" in stderr
    assert stderr.endswith("0 warning(s)\n")


def test_a_rebuild_over_the_previous_zip_says_what_the_upload_does_to_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With last build's zip in dist/, the build compares: a question removed leaves the
    learners' answers to it with nothing to compare them with. Said, but not failing the
    build, even with --strict (the revision may well be meant)."""
    source = copy_default_course(tmp_path / "source")
    out = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(out), "--strict"]) == 0
    capsys.readouterr()
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace('id = "llm-definition"', 'id = "llm-what"'),
        encoding="utf-8",
    )
    assert main(["build", str(source), "-o", str(out), "--strict"]) == 0
    stderr = capsys.readouterr().err
    zip_path = out / "ai-basics-for-clinicians.zip"
    assert f"{zip_path}/llm-basics/index.html: warning: SCO " in stderr
    assert "1 question(s) are gone ('llm-definition')" in stderr
    assert "attempts in progress cannot resume" in stderr
    assert stderr.endswith("2 warning(s)\n")
