"""The rendered report, opened in a real browser (Debian chromium through chromedriver)."""

import json
import shutil
from pathlib import Path

import pytest

import reports
from suites.selftest.test_report import records

pytestmark = pytest.mark.selftest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
OUT = Path(__file__).resolve().parents[2] / "reports" / "out"


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("Debian chromium and chromium-driver are not installed (.ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=opts)
    yield driver
    driver.quit()


def inspect(browser, page: Path) -> dict:
    """What a person would see go wrong: tables, charts that did not load, external loads, errors."""
    browser.get(page.as_uri())
    js = browser.execute_script
    return {
        "tables": js("return document.querySelectorAll('table').length"),
        "images": js("return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.src.slice(0, 22)])"),
        "external": js(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))"
        ),
        "errors": [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"],
        "headings": js("return Array.from(document.querySelectorAll('h2')).map(h => h.textContent)"),
    }


def problems(seen: dict) -> list[str]:
    out = []
    if seen["tables"] < 6:
        out.append(f"only {seen['tables']} tables rendered")
    if len(seen["images"]) < 4 or not all(done and width > 0 for done, width, _ in seen["images"]):
        out.append(f"charts missing or not loaded: {seen['images']}")
    if not all(src == "data:image/png;base64," for _, _, src in seen["images"]):
        out.append("a chart is not embedded")
    if seen["external"]:
        out.append(f"external resources: {seen['external']}")
    if seen["errors"]:
        out.append(f"console errors: {seen['errors']}")
    if not (any("Training" in h for h in seen["headings"]) and any("Parity" in h for h in seen["headings"])):
        out.append(f"sections missing: {seen['headings']}")
    return out


@pytest.fixture
def page(tmp_path) -> Path:
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(json.dumps(r) for r in records()) + "\n")
    out = tmp_path / "index.html"
    reports.render([results], out)
    return out


def test_report_renders_in_chromium(browser, page):
    assert problems(inspect(browser, page)) == []
    # the verdict on the first screen (1400 x 1000): the parity and speed matrix, and what failed
    seen = browser.execute_script(
        "return [innerHeight, ...['table.verdict', 'details.failed'].map(s => "
        "document.querySelector(s) && document.querySelector(s).getBoundingClientRect().bottom)]"
    )
    assert all(bottom is not None and 0 < bottom <= seen[0] for bottom in seen[1:]), seen
    OUT.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1400, min(int(height), 8000))
    assert browser.save_screenshot(str(OUT / "report-screenshot.png"))


def test_browser_check_catches_a_broken_page(browser, page, tmp_path):
    broken = tmp_path / "broken.html"
    html = page.read_text().replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1)
    broken.write_text(html.replace("</body>", '<img src="http://127.0.0.1:9/missing.png"></body>'))
    found = problems(inspect(browser, broken))
    assert any("not loaded" in p for p in found) and any("external" in p or "not embedded" in p for p in found), found
