"""The bulletin as an A4 PDF, printed by headless Chromium (Debian's ``chromium``).

The page is laid out at the printable width of A4, charts drawn (animations are off)
before printing; Chinese text needs a CJK font on the machine (``fonts-noto-cjk``).
"""

from __future__ import annotations

import concurrent.futures
import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

# A4 is 210 mm wide; the page's @page margin is 12 mm: 186 mm at 96 px per inch.
PRINT_WIDTH_PX = round(186 / 25.4 * 96)
TIMEOUT_MS = 120_000


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _print(html: Path, pdf: Path, browser_path: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
            page.emulate_media(media="print")
            page.goto(html.as_uri(), timeout=TIMEOUT_MS)
            page.wait_for_function("window.bulletinReady === true", timeout=TIMEOUT_MS)
            page.evaluate("document.fonts.ready")
            tmp = pdf.with_suffix(".pdf.tmp")
            page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True)
            tmp.replace(pdf)  # readers never see a half-written PDF
        finally:
            browser.close()


def write(html: Path) -> Path | None:
    """Print ``html`` to the PDF beside it (same name, ``.pdf``); None without Chromium."""
    browser_path = chromium()
    if browser_path is None:
        log.warning("chromium not found: the bulletin's PDF is not written (apt install chromium)")
        return None
    pdf = html.with_suffix(".pdf")
    # Playwright's sync API refuses to run inside an event loop (Airflow task runners
    # may have one): print from a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_print, html, pdf, browser_path).result()
    return pdf
