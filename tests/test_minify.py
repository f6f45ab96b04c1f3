"""The run-time ships minified: only comments and whitespace go, the code runs as written."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from scorm_builder.build import build
from scorm_builder.minify import minify_css, minify_js
from scorm_builder.render import TEMPLATES_DIR
from tests.course_factory import DEFAULT_SOURCE


def test_comments_and_whitespace_go_strings_and_regular_expressions_stay() -> None:
    source = """// a comment
    function f(a, b) {   /* block
                            comment */
        const url = "http://example.org/*not a comment*/";
        const re = /\\/\\/[a-z]+/g;   // a regex with slashes
        return a / b + `line 1
            // kept: inside a template ${"}" + `nested`} too`;
    }
    """
    assert minify_js(source) == (
        "function f(a,b){"
        'const url="http://example.org/*not a comment*/";'
        "const re= /\\/\\/[a-z]+/g;"
        "return a / b+`line 1\n"
        '            // kept: inside a template ${"}" + `nested`} too`;}\n'
    )


def test_the_spaces_and_line_breaks_that_mean_something_stay() -> None:
    source = "x = (a) / 2 / b; // half\ny = z /2\nlet n = a + +b - -c\nreturn 1 .toFixed()\n(f)()"
    assert minify_js(source) == (
        "x=(a) / 2 / b;y=z /2\nlet n=a+ +b- -c\nreturn 1 .toFixed()\n(f)()\n"
    )


def test_css_keeps_the_spaces_that_mean_something() -> None:
    source = """/* colours */
    a :hover, b > c {
        margin: calc(100% - 2rem) 0;   content: "/* kept */";
    }
    @media (min-width: 40em) and (max-width: 60em) { p { color: red !important; } }
    q { content: ";}" }
    """
    assert minify_css(source) == (
        'a :hover,b>c{margin:calc(100% - 2rem) 0;content:"/* kept */"}'
        "@media (min-width:40em) and (max-width:60em){p{color:red!important}}"
        'q{content:";}"}\n'
    )


def test_the_package_ships_the_minified_run_time_and_it_parses(tmp_path: Path) -> None:
    [(path, _, _)] = build(DEFAULT_SOURCE, tmp_path / "dist").written
    with zipfile.ZipFile(path) as archive:
        shipped_js = archive.read("shared/runtime.js")
        shipped_css = archive.read("shared/course.css")
    readable_js = (TEMPLATES_DIR / "static" / "runtime.js").read_text(encoding="utf-8")
    readable_css = (TEMPLATES_DIR / "static" / "course.css").read_text(encoding="utf-8")
    assert shipped_js.decode() == minify_js(readable_js)
    assert shipped_css.decode() == minify_css(readable_css)
    assert len(shipped_js) + len(shipped_css) < 25 * 1024
    script = tmp_path / "runtime.js"
    script.write_bytes(shipped_js)
    subprocess.run(["node", "--check", str(script)], check=True)
