"""The built web book in a real browser: headless Debian Chromium driven by Playwright.

Every page loads without console errors; navigation and search find chapters; solutions stay
hidden until clicked; figures are images with alt text. Screenshots of the landing page and one
chapter are saved under _build/screenshots; axe-core (bundled by the axe-playwright-python
package, no download) finds no serious or critical accessibility violations on any page.
`.ci/run` installs Debian's Chromium; without it these tests are skipped with that reason.
"""

from pathlib import Path

import pytest

from helpers import CHROMIUM, SHOTS, serve, toc_files

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def site(built_book):
    """Serve _build/html for the module's tests."""
    with serve(built_book) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


@pytest.mark.parametrize("name", toc_files())
def test_page_loads_without_errors_and_images_have_alt(site, page, name):
    page.goto(f"{site}/{name}.html", wait_until="networkidle")
    assert page.title(), f"{name}: no title"
    assert page.errors == [], f"{name}: console errors {page.errors}"
    missing_alt = page.eval_on_selector_all(
        "article img", "imgs => imgs.filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)")
    assert missing_alt == [], f"{name}: images without alt text {missing_alt}"


@pytest.mark.parametrize("name", toc_files() + ["search"])
def test_page_has_no_serious_accessibility_violations(site, page, name):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{site}/{name}.html", wait_until="networkidle")
    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']} ({v['impact']}): {v['help']} - {v['nodes'][0]['html'][:120]}"
               for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: " + "\n".join(serious)


def test_figures_are_images_with_alt_text(site, page):
    page.goto(f"{site}/book/nato-structure-and-purpose.html", wait_until="networkidle")
    alts = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.alt)")
    assert alts and all(len(a.split()) >= 8 for a in alts)


def test_search_finds_a_chapter_by_keyword(site, page):
    page.goto(f"{site}/search.html?q=Herfindahl", wait_until="networkidle")
    page.wait_for_selector("ul.search li a", timeout=15000)
    links = page.eval_on_selector_all("ul.search li a", "as => as.map(a => a.getAttribute('href'))")
    assert any("csto-regional-dynamics" in link for link in links), links


def test_navigation_reaches_a_chapter(site, page):
    page.goto(f"{site}/book/index.html", wait_until="networkidle")
    page.click("nav.bd-docs-nav >> text=Case Studies of Military Alliances")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("book/case-studies.html")
    assert page.locator("h1").first.inner_text().startswith("Case Studies of Military Alliances")


def test_solutions_hidden_until_clicked(site, page):
    page.goto(f"{site}/book/nato-structure-and-purpose.html", wait_until="networkidle")
    solution = page.locator("div.solution.dropdown").first
    code = solution.locator("pre").first
    assert code.count() == 1
    assert not code.is_visible(), "solution code is visible before clicking"
    solution.locator("button.toggle-button").first.click()
    code.wait_for(state="visible", timeout=5000)
    assert code.is_visible(), "solution does not open when clicked"


def test_screenshots_of_landing_page_and_a_chapter(site, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [("landing", "book/index.html"), ("nato-chapter", "book/nato-structure-and-purpose.html")]:
        page.goto(f"{site}/{path}", wait_until="networkidle")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_phone_width_has_no_sideways_scrolling(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        for name in ("book/index", "book/nato-structure-and-purpose", "book/glossary"):
            page.goto(f"{site}/{name}.html", wait_until="networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone screen"
            widths = page.eval_on_selector_all("article img", "imgs => imgs.map(i => i.getBoundingClientRect().width)")
            assert all(0 < w <= 390 for w in widths), f"{name}: figure widths {widths}"
        page.screenshot(path=str(SHOTS / "phone-glossary.png"))
    finally:
        context.close()


def test_dark_mode_figures_keep_an_opaque_white_background(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(f"{site}/book/nato-structure-and-purpose.html", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        figure = page.locator("figure img").first
        figure.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / "dark-mode-figure.png"
        figure.screenshot(path=str(shot))
        import matplotlib.image

        pixels = matplotlib.image.imread(shot)
        # 12 px in from each corner, inside the theme's border. The theme dims images in dark mode
        # (white shows as light grey, about 0.86); a transparent figure would show the dark page (~0.1).
        corners = [pixels[12, 12], pixels[12, -13], pixels[-13, 12], pixels[-13, -13]]
        assert all(c[:3].min() > 0.8 for c in corners), f"figure background is not light in dark mode: {corners}"
    finally:
        context.close()
