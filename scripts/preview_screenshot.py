"""Make docs/preview.png: the preview of the default course after a passed attempt.

Run with `scripts/preview-screenshot`; it uses the same headless Chromium as the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scorm_builder.preview.server import PreviewServer  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.test_preview import pass_quiz, sco_frame  # noqa: E402


def main() -> None:
    output = REPO / "docs" / "preview.png"
    server = PreviewServer(REPO / "source")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(server.url)
            frame = sco_frame(page)
            pass_quiz(frame)
            page.locator("[data-values] dd[data-value='lesson_status']").filter(
                has_text="passed"
            ).wait_for()
            frame.locator("[data-result]").scroll_into_view_if_needed()
            page.screenshot(path=str(output))
            browser.close()
    finally:
        server.close()
    print(f"wrote {output.relative_to(REPO)}")


if __name__ == "__main__":
    main()
