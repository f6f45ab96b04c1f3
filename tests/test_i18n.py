"""The interface language: which one is chosen, and that every message has its translation.

    LANG=ja_JP.UTF-8 scorm-builder build          -> Japanese
    SCORM_BUILDER_LANG=en scorm-builder build     -> English, whatever the locale
    scorm-builder --lang ja build                 -> Japanese, whatever the environment

The catalogue test reads the messages out of the code with Babel (as `pybabel extract` does,
babel.cfg) and checks each against the Japanese catalogue: translated, not fuzzy, the same
placeholders. `catalogue_problems` is shown failing on a broken catalogue below.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from babel.messages.extract import extract_from_dir

from scorm_builder import i18n
from scorm_builder.console import native_path
from scorm_builder.i18n import _, choose_language, ngettext
from scorm_builder.po_file import Entry, read_po, to_mo

ROOT = Path(__file__).resolve().parent.parent
JA_CATALOGUE = ROOT / "scorm_builder" / "locale" / "ja" / "LC_MESSAGES" / "scorm_builder.po"


# ---------- which language ----------


@pytest.mark.parametrize(
    ("requested", "environ", "expected"),
    [
        (None, {"LANG": "ja_JP.UTF-8"}, "ja"),
        (None, {"LANG": "ja_JP.eucJP"}, "ja"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "C"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalogue: English
        (None, {}, "en"),
        # As gettext: LC_ALL over LC_MESSAGES over LANG; an empty one does not count.
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
        (None, {"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, "ja"),
        # The variable over the locale, --lang over both.
        (None, {"SCORM_BUILDER_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        (None, {"SCORM_BUILDER_LANG": "ja", "LC_ALL": "C"}, "ja"),
        ("en", {"SCORM_BUILDER_LANG": "ja", "LANG": "ja_JP.UTF-8"}, "en"),
        ("ja", {"LANG": "en_GB.UTF-8"}, "ja"),
        ("fr", {"LANG": "ja_JP.UTF-8"}, "ja"),  # --lang fr is refused by argparse, in Japanese
    ],
)
def test_the_language_is_chosen_like_gettext_with_two_overrides(requested, environ, expected):
    assert choose_language(requested, environ) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "ja", "build"], "ja"),
        (["build", "--lang=en", "source"], "en"),
        (["build", "source"], None),
        (["build", "--", "--lang", "ja"], None),  # after --, a folder named --lang
        (["--lang"], None),  # argparse will say that it needs a value
    ],
)
def test_lang_is_found_on_the_command_line_before_the_parser_is_built(argv, expected):
    assert i18n.requested_language(argv) == expected


def test_the_choices_are_english_and_every_catalogue():
    assert i18n.available_languages() == ("en", "ja")


def test_messages_follow_the_active_language():
    message = "{count} warning(s)"
    assert _(message).format(count=2) == "2 warning(s)"
    with i18n.language("ja"):
        assert _(message).format(count=2) == "警告 2 件"
        assert i18n.current_language() == "ja"
        assert _("a message nobody translated") == "a message nobody translated"
    assert _(message) == message and i18n.current_language() == "en"


def test_plural_forms_come_from_the_catalogue_header():
    one, many = "expected %s argument", "expected %s arguments"
    assert (ngettext(one, many, 1), ngettext(one, many, 2)) == (one, many)
    with i18n.language("ja"):
        assert ngettext(one, many, 1) == ngettext(one, many, 5) == "値を %s 個指定してください"


def test_module_level_tables_are_marked_with_N_and_translated_where_shown():
    table = {"summary": i18n.N_("{count} warning(s)")}
    assert table["summary"] == "{count} warning(s)"  # marking does not translate
    with i18n.language("ja"):
        assert _(table["summary"]).format(count=1) == "警告 1 件"


def test_argparse_speaks_the_active_language_too():
    i18n.translate_argparse()
    with i18n.language("ja"):
        parser = argparse.ArgumentParser(prog="scorm-builder", description=_("build the course"))
        parser.add_argument("source", help=_("the course folder (default: source)"))
        text = parser.format_help()
    assert text.startswith("使い方: scorm-builder")
    assert "引数:" in text and "オプション:" in text
    assert "この説明を表示して終わります" in text
    assert "コースのフォルダ（省略すると source）" in text
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: ")


# ---------- the catalogue ----------


def code_messages() -> dict[str, tuple[str, ...]]:
    """Every message the code marks with _(), N_() or ngettext(), as `pybabel extract` finds it:
    msgid -> (msgid, msgid_plural) or (msgid,), keyed by the first."""
    found = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map=[("scorm_builder/**.py", "python")]
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, in both styles our messages use: {name} (str.format) and
    %(name)s / %s (argparse's); the braces of a message that is not a template."""
    try:
        braces = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:  # never formatted ("a { ... } is not closed"): its braces must stay
        braces = [f"a literal {brace}" for brace in text if brace in "{}"]
    percents = re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifx]", text)
    # A name may be repeated in a translation ({limit} twice); %s are counted.
    return sorted(set(braces)) + sorted(percents)


def nplurals(entries: list[Entry]) -> int:
    header = next(e for e in entries if e.msgid == "").msgstr[0]
    found = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert found, "the catalogue's header has no Plural-Forms"
    return int(found.group(1))


def catalogue_problems(po_text: str, required: dict[str, tuple[str, ...]]) -> list[str]:
    """What is wrong with a catalogue, one line each: a message of the code missing or
    untranslated, a fuzzy entry, a placeholder added, lost or renamed."""
    entries = read_po(po_text)
    forms = nplurals(entries)
    by_id = {e.msgid: e for e in entries if e.msgid}
    problems = [f"not in the catalogue: {msgid!r}" for msgid in required if msgid not in by_id]
    for entry in by_id.values():
        where = f"line {entry.line}: {entry.msgid!r}"
        if entry.fuzzy:
            problems.append(f"{where}: marked fuzzy (review it, then remove the flag)")
        if not all(entry.msgstr):
            problems.append(f"{where}: not translated")
            continue
        if entry.msgid_plural is not None and len(entry.msgstr) != forms:
            problems.append(f"{where}: {len(entry.msgstr)} plural forms, the language has {forms}")
        sources = {tuple(placeholders(entry.msgid))}
        if entry.msgid_plural is not None:
            sources.add(tuple(placeholders(entry.msgid_plural)))
        for translation in entry.msgstr:
            if tuple(placeholders(translation)) not in sources:
                problems.append(
                    f"{where}: placeholders {placeholders(translation)} in the translation, "
                    f"{placeholders(entry.msgid)} in the message"
                )
    return problems


def test_every_message_has_its_japanese_translation_with_the_same_placeholders():
    assert catalogue_problems(JA_CATALOGUE.read_text(encoding="utf-8"), code_messages()) == []


def untranslated_help(source: str) -> list[int]:
    """The lines of the help= and description= texts of a module not given through _()."""
    return [
        keyword.value.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in ("help", "description")
        and not (
            isinstance(keyword.value, ast.Call)
            and isinstance(keyword.value.func, ast.Name)
            and keyword.value.func.id == "_"
        )
    ]


def test_every_help_text_of_the_command_line_goes_through_the_catalogue():
    assert untranslated_help((ROOT / "scorm_builder" / "cli.py").read_text("utf-8")) == []
    example = 'parser.add_argument("x", help=_("translated"))\nparser.add_argument(help="not")\n'
    assert untranslated_help(example) == [2]


BROKEN = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "built {path} ({size} KB)"
msgstr "{path} を作りました（{size_kb} KB）"

msgid "{count} warning(s)"
msgstr ""

#, fuzzy
msgid "removed {path}"
msgstr "{path} を削除しました"

msgid "%(prog)s: error: %(message)s\n"
msgstr "%(prog)s: エラー\n"
"""


def test_a_broken_catalogue_is_caught_with_the_line_and_what_is_wrong():
    required = {m: (m,) for m in ["built {path} ({size} KB)", "{count} warning(s)", "new {x}"]}
    assert catalogue_problems(BROKEN, required) == [
        "not in the catalogue: 'new {x}'",
        "line 7: 'built {path} ({size} KB)': placeholders ['path', 'size_kb'] in the "
        "translation, ['path', 'size'] in the message",
        "line 10: '{count} warning(s)': not translated",
        "line 14: 'removed {path}': marked fuzzy (review it, then remove the flag)",
        "line 17: '%(prog)s: error: %(message)s\\n': placeholders ['%(prog)s'] in the "
        "translation, ['%(message)s', '%(prog)s'] in the message",
    ]


def test_untranslated_and_fuzzy_entries_show_in_english_as_with_msgfmt():
    catalogue = gettext.GNUTranslations(io.BytesIO(to_mo(read_po(BROKEN))))
    assert catalogue.gettext("{count} warning(s)") == "{count} warning(s)"
    assert catalogue.gettext("removed {path}") == "removed {path}"
    assert catalogue.gettext("built {path} ({size} KB)") == "{path} を作りました（{size_kb} KB）"


def test_the_po_reader_reads_multi_line_strings_and_escapes():
    [header, entry] = read_po(
        'msgid ""\nmsgstr "Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '# a comment\nmsgid ""\n"two "\n"lines"\nmsgstr "\\"二\\"\\t行\\\\"\n'
    )
    assert (entry.msgid, entry.msgstr, entry.line) == ("two lines", ('"二"\t行\\',), 5)


def test_a_malformed_po_file_says_where():
    with pytest.raises(ValueError, match="line 2: expected a string in double quotes"):
        read_po('msgid "x"\nmsgstr x\n')


def test_every_japanese_message_can_be_printed_on_a_japanese_windows():
    # cp932 is what Python writes redirected output in there: the interface's own words must
    # never need an escape (console.make_output_safe is for what authors wrote).
    for entry in read_po(JA_CATALOGUE.read_text(encoding="utf-8")):
        for translation in entry.msgstr:
            translation.encode("cp932")


# ---------- the console on a Japanese Windows ----------

EMOJI_TITLE = "手指衛生 🧼 と 𠮷野家"  # an emoji and a kanji outside cp932
PRINT_TITLE = f"print({EMOJI_TITLE!r}); import sys; print({EMOJI_TITLE!r}, file=sys.stderr)"


def run_python(code: str) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "PYTHONIOENCODING": "cp932", "PYTHONUTF8": "0"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=environ, cwd=ROOT, timeout=60
    )


def test_without_the_helper_a_cp932_console_fails_on_an_emoji():
    # What happens today: the command dies in the middle of its report.
    result = run_python(PRINT_TITLE)
    assert result.returncode == 1
    assert b"UnicodeEncodeError" in result.stderr


def test_with_the_helper_the_same_output_is_written_with_escapes():
    result = run_python("from scorm_builder.console import make_output_safe\n"
                        f"make_output_safe()\n{PRINT_TITLE}")  # fmt: skip
    assert result.returncode == 0, result.stderr.decode("cp932", "replace")
    expected = "手指衛生 \\U0001f9fc と \\U00020bb7野家"
    assert result.stdout.decode("cp932").splitlines() == [expected]
    assert result.stderr.decode("cp932").splitlines() == [expected]


def test_paths_are_printed_with_the_separator_of_the_os():
    assert native_path("source/lessons/llm-basics.md", PureWindowsPath) == (
        "source\\lessons\\llm-basics.md"
    )
    assert native_path("source/lessons/llm-basics.md", PurePosixPath) == (
        "source/lessons/llm-basics.md"
    )
    assert native_path(Path("dist") / "course.zip") == os.path.join("dist", "course.zip")


# ---------- worker processes ----------


def summary_in_a_worker(count: int) -> tuple[int, str]:
    return os.getpid(), _("{count} warning(s)").format(count=count)


def test_worker_processes_speak_the_language_of_the_command():
    # The build reads lessons in a pool of forked workers; their problems must be in the
    # language the command chose, not in the one a fresh interpreter would start with.
    from scorm_builder.workers import Workers

    with i18n.language("ja"), Workers(2) as workers:
        said = workers.map(summary_in_a_worker, list(range(40)))
    assert {pid for pid, _text in said} - {os.getpid()}, "the work was not done in workers"
    assert [text for _pid, text in said] == [f"警告 {n} 件" for n in range(40)]
