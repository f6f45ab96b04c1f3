"""The language the command speaks to its user: English or Japanese (or any language with a
catalogue), chosen once at start-up.

    from scorm_builder.i18n import _, N_, ngettext

    print(_("built {path} ({size} KB)").format(path=path, size=size))
    print(ngettext("{count} file", "{count} files", n).format(count=n))
    RULES = {"x": N_("a message in a module-level table")}   # marked here, translated with
    print(_(RULES["x"]))                                       # _() where it is shown

Which language (`choose_language`): `--lang ja|en`, then the environment variable
SCORM_BUILDER_LANG, then the locale as gettext reads it (the first of LC_ALL, LC_MESSAGES,
LANG that is set): Japanese when it starts with "ja". Anything else is English. The course's
own language never decides it: a Japanese administrator may build an English course.

The catalogues are standard gettext `.po` files, `scorm_builder/locale/<lang>/LC_MESSAGES/
scorm_builder.po`; the English text in the code is the message id. They are read at first use,
by a small reader (scorm_builder/po_file.py), into gettext's own `GNUTranslations` (which
does the plural forms): no compile step at install time, and no Babel at run time. Babel
extracts the messages from the code (see babel.cfg). A third language is one more `.po` file,
not code.

The active catalogue is the one piece of process-wide state here: `use_language` sets it once,
where the command line starts (tests use the `language` context manager). Until then, and for
English, messages are returned as written.
"""

from __future__ import annotations

import argparse
import functools
import gettext
import io
import os
from contextlib import contextmanager
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

DOMAIN = "scorm_builder"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENVIRONMENT_VARIABLE = "SCORM_BUILDER_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # in gettext's order of precedence
SOURCE_LANGUAGE = "en"  # the language of the message ids in the code


def available_languages() -> tuple[str, ...]:
    """English and every language that has a catalogue, sorted: the choices of --lang."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


def choose_language(requested: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The interface language: `requested` (--lang), else SCORM_BUILDER_LANG, else the locale."""
    environ = os.environ if environ is None else environ
    if requested not in available_languages():
        requested = None  # argparse refuses it, in the language of the environment
    candidates = [requested, environ.get(ENVIRONMENT_VARIABLE)]
    # As gettext: the first locale variable that is set decides, even if it names no catalogue.
    candidates.append(next((environ[v] for v in LOCALE_VARIABLES if environ.get(v)), None))
    for value in candidates:
        if value:
            return _language_of(value)
    return SOURCE_LANGUAGE


def requested_language(argv: Sequence[str]) -> str | None:
    """The value of --lang in a command line, read before the parser exists: the parser's own
    help texts must already be in the chosen language when it is built."""
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--lang="):
            return argument.removeprefix("--lang=")
    return None


def _language_of(value: str) -> str:
    """'ja_JP.UTF-8' -> 'ja'; a language without a catalogue (or 'C', 'POSIX') -> English."""
    language = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return language if language in available_languages() else SOURCE_LANGUAGE


# ---------- the active catalogue ----------


class _Active:
    # A plain class, not a dataclass: `--help` should not pay for importing dataclasses.
    def __init__(self) -> None:
        self.language = SOURCE_LANGUAGE
        self.translations = gettext.NullTranslations()


_active = _Active()


def use_language(language: str) -> None:
    """Make `language` the one every `_()` answers in, from now on."""
    _active.language = language
    _active.translations = catalogue(language)


def current_language() -> str:
    return _active.language


@contextmanager
def language(name: str) -> Iterator[None]:
    """Speak `name` inside the block only (for tests, and for the preview's per-request text)."""
    before = (_active.language, _active.translations)
    use_language(name)
    try:
        yield
    finally:
        _active.language, _active.translations = before


def _(message: str) -> str:
    """`message` (English, a `str.format` template) in the active language."""
    return _active.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for `count` (English has two, Japanese one)."""
    return _active.translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined (a module-level table); translate it
    with `_()` where it is shown, when the language is known."""
    return message


# ---------- reading catalogues ----------


@functools.cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The translations of `language`, read from its .po file once per process."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE and not path.is_file():
        return gettext.NullTranslations()
    from scorm_builder.po_file import read_po, to_mo  # only when a catalogue is used

    entries = read_po(path.read_text(encoding="utf-8"))
    return gettext.GNUTranslations(io.BytesIO(to_mo(entries)))


# ---------- argparse's own words ----------


def argparse_texts() -> list[str]:
    """The texts of argparse (Python's own) that our users meet, marked here so that Babel
    extracts them into the catalogues with ours; argparse asks `_` for them by these ids."""
    return [
        _("usage: "),
        _("positional arguments"),
        _("options"),
        _("show this help message and exit"),
        _("%(prog)s: error: %(message)s\n"),
        _("the following arguments are required: %s"),
        _("unrecognized arguments: %s"),
        _("invalid choice: %(value)r (choose from %(choices)s)"),
        _("argument %(argument_name)s: %(message)s"),
        _("expected one argument"),
        _("expected at least one argument"),
        _("expected at most one argument"),
        _("invalid %(type)s value: %(value)r"),
        _("ambiguous option: %(option)s could match %(matches)s"),
        _("not allowed with argument %s"),
        _("one of the arguments %s is required"),
        ngettext("expected %s argument", "expected %s arguments", 2),
    ]


def translate_argparse() -> None:
    """Let argparse's own texts ("usage: ", "options", its error messages) follow the active
    language too: argparse looks its `_` and `ngettext` up in its module at each call."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
