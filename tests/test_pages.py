"""The two pages under docs/: built by pages.py, checked as files, then in headless Chromium.

Without a browser the browser tests skip, with the reason; under CI (CI=true) they fail instead.
"""
import base64
import functools
import html.parser
import http.server
import io
import os
import re
import threading
import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw

import mnist
import pages
import predict
from conftest import run

DOCS = pages.DOCS
PAIRS = [("mlp", "numpy", "torch"), ("mlp", "theano", "mlx"), ("mlp", "keras", "flax"), ("mlp", "numpy", "tinygrad"),
         ("conv", "jax", "tensorflow"), ("conv", "numpy", "flax"), ("conv", "torch", "mlx"),
         ("deep", "torch", "jax"), ("deep", "keras", "mlx"), ("deep", "tensorflow", "flax"), ("conv", "torch", "tinygrad"),
         ("deep", "tinygrad", "torch")]
# the agreement asked of the page and predict.py; measured (both in float64): pixels 0/255,
# probabilities 3e-15 at most, over the drawn digits and the 72 opened images
PIXEL, PROBABILITY = 2 / 255, 1e-6


# ---- the files ----

def test_committed_pages_are_what_pages_py_builds():
    built = pages.build()
    for name, text in built.items():
        with open(os.path.join(DOCS, name), encoding="utf-8") as f:
            assert f.read() == text, f"docs/{name} is out of date: run python pages.py"


def test_check_fails_on_a_stale_page(tmp_path, monkeypatch, capsys):
    for name, text in pages.build().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(pages, "DOCS", str(tmp_path))
    pages.main(["--check"])
    assert "up to date" in capsys.readouterr().out
    (tmp_path / "draw.html").write_text("old", encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        pages.main(["--check"])
    assert "docs/draw.html out of date" in str(e.value) and "index.html" not in str(e.value)


class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.csp, self.scripts = [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.refs += [attrs[k] for k in ("src", "href", "action", "srcset") if k in attrs]
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]
        if tag in ("link", "iframe", "object", "embed") and attrs.get("href") != "data:,":
            self.refs.append(f"<{tag}>")  # only the empty icon, so no favicon.ico request
        if tag == "script":
            self.scripts.append(attrs)


@pytest.mark.parametrize("name", pages.PAGES)
def test_pages_are_self_contained_under_a_csp_without_network(name):
    refs = Refs()
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        refs.feed(f.read())
    assert refs.csp and refs.csp.startswith("default-src 'none'; "), refs.csp
    csp = refs.csp
    if name == "readme.html":  # its pictures are the PNG files beside it; it links to the original
        assert "img-src 'self' data:;" in csp and "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='" in csp
        csp = csp.replace("img-src 'self' data:;", "img-src data:;")
        refs.refs.remove("https://github.com/jrusev/simple-neural-networks")
    assert "connect-src" not in csp and "http" not in csp and "'self'" not in csp
    assert not [r for r in refs.refs if re.match(r"(https?:)?//|<", r)], refs.refs
    assert all(s.get("type") in (None, "application/json") and "src" not in s for s in refs.scripts)


def test_sections_of_a_script_cover_it_in_order():
    text = open(os.path.join(pages.ROOT, "mlp_torch.py")).read()
    found = pages.sections(text)
    assert [s[0] for s in found] == [
        "docstring", "imports", "setup", "def build_model", "def weights", "def train_step",
        "def train_epoch", "def predict", "def main", "main guard"]
    assert found[0][1] == 0 and found[-1][2] == len(text.splitlines())
    assert all(a[2] == b[1] for a, b in zip(found, found[1:]))  # no gap, no overlap
    lines = text.splitlines()
    assert lines[dict((s[0], s[1]) for s in found)["def predict"]] == "@torch.no_grad()"


def test_sections_number_a_name_seen_twice_and_keep_comments_with_their_function():
    text = '"""Doc."""\nimport a\nx = 1\n\n# about f\ndef f():\n    pass\n\ny = 2\n'
    assert pages.sections(text) == [["docstring", 0, 1], ["imports", 1, 2], ["setup", 2, 4],
                                    ["def f", 4, 8], ["setup 2", 8, 9]]


def test_highlighting_keeps_every_line_as_it_is():
    text = open(os.path.join(pages.ROOT, "conv_deep_jax.py")).read()
    lines = pages.tokens(text)
    assert ["".join(line[1::2]) for line in lines] == text.splitlines()
    assert ["k", "def"] == lines[text.splitlines().index("def main():")][:2]
    assert all(a != b for line in lines for a, b in zip(line[::2], line[2::2]))  # one run per class


def test_missing_weights_are_one_line_naming_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "WEIGHTS", {"mlp": (str(tmp_path / "none.npz"), "mlp_numpy.py")})
    with pytest.raises(SystemExit) as e:
        pages.draw_data({})
    assert "no such file" in str(e.value) and "python mlp_numpy.py --save" in str(e.value)


# ---- in the browser ----

def chromium_or_skip():
    """A headless Chromium; without one, skip with the reason, or under CI (CI=true) fail."""
    try:
        return pages.chromium(1400, 1000)
    except (ImportError, FileNotFoundError, OSError) as e:
        reason = f"no headless Chromium for the browser tests: {e}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (under CI a missing browser is a failure)")
        pytest.skip(reason)


def test_a_missing_browser_skips_but_fails_under_ci(monkeypatch):
    def missing(*args):
        raise FileNotFoundError("no Chromium: apt-get install chromium chromium-driver")
    monkeypatch.setattr(pages, "chromium", missing)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI a missing browser is a failure"):
        chromium_or_skip()


@pytest.fixture(scope="module")
def browser():
    driver = chromium_or_skip()
    yield driver
    driver.quit()


@pytest.fixture
def page(browser):
    """Opens a page from disk (file://) and, after the test, fails on any console error."""
    def open_page(name, fragment=""):
        browser.get("file://" + os.path.join(DOCS, name) + fragment)
        return browser
    browser.get_log("browser")  # drop what earlier tests left
    yield open_page
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors


def pane_text(driver, side):
    return driver.execute_script(
        f"return [...document.querySelectorAll('#code-{side} .row:not(.pad) .src')]"
        ".map(e => e.textContent).join('\\n') + '\\n';")


def section_tops(driver, side):
    return driver.execute_script(
        f"return Object.fromEntries([...document.querySelectorAll('#code-{side} [data-section]')]"
        ".map(e => [e.dataset.section, e.getBoundingClientRect().top + window.scrollY]));")


@pytest.mark.parametrize("model,left,right", PAIRS)
def test_reader_shows_both_scripts_whole_with_shared_sections_level(page, model, left, right):
    driver = page("index.html", f"#{model}/{left}/{right}")
    prefix = pages.MODELS[model][1]
    for side, framework in (("left", left), ("right", right)):
        with open(os.path.join(pages.ROOT, f"{prefix}{framework}.py"), encoding="utf-8") as f:
            assert pane_text(driver, side) == f.read()
    tops_left, tops_right = section_tops(driver, "left"), section_tops(driver, "right")
    assert tops_left.keys() == tops_right.keys()
    assert {"docstring", "imports", "def train_epoch", "def main", "main guard"} <= tops_left.keys()
    for name, top in tops_left.items():
        assert abs(top - tops_right[name]) < 0.5, (name, top, tops_right[name])
    rows = driver.execute_script(
        "return ['left', 'right'].map(s => document.querySelectorAll(`#code-${s} .row`).length);")
    assert rows[0] == rows[1]


def test_reader_marks_the_lines_that_differ_and_only_those(page):
    driver = page("index.html", "#mlp/numpy/torch")
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#code-left .row')].map((r, i) => [r.className, "
        "r.querySelector('.src').textContent, document.querySelectorAll('#code-right .row')[i]"
        ".querySelector('.src').textContent]);")
    for cls, left, right in rows:
        if "pad" in cls:
            continue
        assert ("changed" in cls) == (left != right), (cls, left, right)
    assert any("changed" not in c and left.strip() == "def main():" for c, left, _ in rows)


def test_reader_headers_give_file_version_lines_and_results(page):
    driver = page("index.html", "#conv/jax/tensorflow")
    head = driver.find_element("id", "head-left")
    pins, results = pages.pins(), pages.results()
    link = head.find_element("css selector", "a.file")
    assert link.text == "conv_jax.py" and link.get_attribute("download") == "conv_jax.py"
    assert link.get_attribute("href").startswith("blob:")  # the script itself, from the page
    text = head.text
    lines = len(open(os.path.join(pages.ROOT, "conv_jax.py")).read().splitlines())
    r = results["conv_jax.py"]
    for part in (f"JAX {pins['jax']}", f"{lines} lines", f"{r['test_accuracy']:.4f}",
                 f"{r['s_per_epoch']:.1f}", f"{r['seconds']:.0f} s", f"{r['peak_mib']} MiB"):
        assert part in text, (part, text)
    assert "TensorFlow " + pins["tensorflow"] in driver.find_element("id", "head-right").text
    assert "mean of seeds" not in text  # the deep nets alone have three seeds
    driver.get(driver.current_url.split("#")[0] + "#deep/mlx/jax")
    mean = sum(pages.deep_seeds()["conv_deep_mlx.py"]) / 3
    deep = " ".join(driver.find_element("id", "head-left").text.split())  # one line, at any width
    assert f"mean of seeds 0-2 {mean:.4f}" in deep, deep
    polylines = driver.find_elements("css selector", "#chart polyline")
    assert len(polylines) == 2
    assert len(polylines[0].get_attribute("points").split()) == len(r["val_accuracy"])


def test_reader_fragment_round_trips(page):
    from selenium.webdriver.support.ui import Select

    driver = page("index.html")
    assert driver.execute_script("return location.hash") == ""
    assert pane_text(driver, "left").startswith('"""MLP in NumPy')
    assert pane_text(driver, "right").startswith('"""MLP in PyTorch')
    Select(driver.find_element("id", "right")).select_by_value("jax")
    assert driver.execute_script("return location.hash") == "#mlp/numpy/jax"
    assert pane_text(driver, "right").startswith('"""MLP in JAX')
    Select(driver.find_element("id", "model")).select_by_value("deep")  # numpy has no deep net
    assert driver.execute_script("return location.hash") == "#deep/tensorflow/jax"
    assert [o.text for o in Select(driver.find_element("id", "left")).options] == [
        "tensorflow", "keras", "torch", "jax", "flax", "mlx", "tinygrad"]
    from selenium.webdriver.common.keys import Keys

    driver.find_element("id", "right").send_keys(Keys.ARROW_DOWN)  # the keyboard: next framework
    assert driver.execute_script("return location.hash") == "#deep/tensorflow/flax"
    driver.get(driver.current_url.split("#")[0] + "#conv/jax/tensorflow")
    driver.execute_script("window.dispatchEvent(new HashChangeEvent('hashchange'))")
    values = [Select(driver.find_element("id", k)).first_selected_option.get_attribute("value")
              for k in ("model", "left", "right")]
    assert values == ["conv", "jax", "tensorflow"]
    assert driver.find_element("id", "note").text == ""


@pytest.mark.parametrize("fragment", ["#mlp/numpy/caffe", "#deep/numpy/torch", "#nonsense", "#a/b/c/d",
                                      "#conv/all/no_such_section", "#deep/all/sigmoid"])
def test_reader_unknown_fragment_falls_back_to_the_default_with_a_note(page, fragment):
    driver = page("index.html", fragment)
    assert "No such view" in driver.find_element("id", "note").text
    assert driver.execute_script("return location.hash") == "#mlp/numpy/torch"
    assert pane_text(driver, "left").startswith('"""MLP in NumPy')


def marks(driver, selector):
    """The texts of the <mark>s (the words that differ) in each element that selector finds."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => "
        "[...e.querySelectorAll('mark')].map(m => m.textContent));", selector)


def test_reader_marks_only_the_words_that_differ(page):
    driver = page("index.html", "#mlp/numpy/torch")
    assert marks(driver, "#code-left .row:first-child .src") == [["NumPy"]]
    assert marks(driver, "#code-right .row:first-child .src") == [["PyTorch"]]
    for pair in ("#mlp/numpy/torch", "#conv/jax/tensorflow", "#deep/torch/mlx"):
        driver.get(driver.current_url.split("#")[0] + pair)
        rows = driver.execute_script("""
            const words = (row, marked) => [...row.querySelectorAll('.src span')]
              .filter(s => Boolean(s.closest('mark')) === marked).map(s => s.textContent).join('')
              .split(/(\\w+|[^\\w\\s])/).filter(w => w.trim());
            const right = [...document.querySelectorAll('#code-right .row')];
            return [...document.querySelectorAll('#code-left .row')].map((r, i) => [r.className,
              right[i].className, words(r, false), words(right[i], false), r.querySelectorAll('mark').length,
              right[i].querySelectorAll('mark').length]);""")
        paired = 0
        for left_cls, right_cls, left_kept, right_kept, left_marks, right_marks in rows:
            if "changed" not in left_cls or "pad" in left_cls + right_cls:
                assert left_marks == right_marks == 0 or "pad" in left_cls + right_cls
                continue
            assert left_kept == right_kept, (pair, left_kept, right_kept)  # the rest is the same
            assert left_marks + right_marks > 0
            paired += 1
        assert paired > 3, pair
        only = driver.find_elements("css selector", ".row.only")  # one side only: the whole line
        assert all("changed" in r.get_attribute("class") for r in only)


ROW_GEOMETRY = """
    const rows = s => [...document.querySelectorAll(`#code-${s} .row`)].map(r => r.getBoundingClientRect());
    const [l, r] = [rows('left'), rows('right')];
    const wide = [...document.querySelectorAll('.code, .code .src')]
      .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className + ': ' + e.textContent.slice(0, 40));
    return {n: [l.length, r.length], tops: l.map((b, i) => Math.abs(b.top - r[i].top)),
            heights: l.map((b, i) => Math.abs(b.height - r[i].height)),
            wrapped: l.filter(b => b.height > 30).length, wide,
            page: [document.documentElement.scrollWidth, window.innerWidth]};"""


@pytest.mark.parametrize("width", [1280, 1600])
def test_reader_wraps_long_lines_and_keeps_the_rows_level(page, browser, width):
    try:
        browser.set_window_size(width, 1000)
        for pair in ("#mlp/numpy/torch", "#conv/theano/mlx", "#deep/flax/keras"):
            driver = page("index.html", pair)
            g = driver.execute_script(ROW_GEOMETRY)
            assert g["n"][0] == g["n"][1] > 50
            assert max(g["tops"]) < 0.5 and max(g["heights"]) < 0.5, pair  # each row level on both sides
            assert g["wide"] == [], (pair, g["wide"])  # nothing scrolls sideways
            assert g["page"][0] <= g["page"][1], g["page"]
            if width == 1280:
                assert g["wrapped"] > 0  # long lines do wrap (the docstrings do at this width)
    finally:
        browser.set_window_size(1400, 1000)


def section_text(model, framework, name):
    """The lines of the script's section of that Rosetta name (compile_NAME too), less trailing
    blank lines; None if it has none."""
    script = f"{pages.MODELS[model][1]}{framework}.py"
    text = open(os.path.join(pages.ROOT, script), encoding="utf-8").read()
    lines = text.splitlines()
    for sec, first, end in pages.sections(text):
        if sec in (f"def {name}", f"def compile_{name}", name):
            while end > first + 1 and not lines[end - 1].strip():
                end -= 1
            return lines[first:end]
    return None


def cards(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#rosetta .card')].map(c => ({framework: c.dataset.framework, "
        "head: c.querySelector('.card-head').textContent, lines: [...c.querySelectorAll('.src')].map(e => e.textContent), "
        "marks: c.querySelectorAll('mark').length}));")


@pytest.mark.parametrize("model,section", [("conv", "train_step"), ("mlp", "predict"), ("deep", "build_model"),
                                           ("mlp", "train_epoch")])
def test_rosetta_shows_one_section_in_every_framework(page, model, section):
    driver = page("index.html", f"#{model}/all/{section}")
    assert not driver.find_element("id", "rosetta").get_attribute("hidden")
    assert driver.find_element("id", "pair").get_attribute("hidden")
    shown = cards(driver)
    frameworks = driver.execute_script("return DATA.models[arguments[0]].frameworks", model)
    assert [c["framework"] for c in shown] == frameworks  # the selector's order
    assert len(frameworks) == (7 if model == "deep" else 9)
    pins = pages.pins()
    for card in shown:
        fw = card["framework"]
        label, package = pages.FRAMEWORKS[fw]
        assert f"{label} {pins[package]}" in card["head"], card["head"]
        expected = section_text(model, fw, section)
        if expected is None:  # says so, and shows what the script has instead, if anything
            instead = {"build_model": "feed_forward", "train_step": "train_epoch"}.get(section)
            assert f"no {section}" in card["head"], card["head"]
            expected = section_text(model, fw, instead) if instead else []
            assert (f"{instead} instead" in card["head"]) == bool(expected)
        assert card["lines"] == expected, (fw, card["lines"][:3])
        assert f"· {len(expected)} lines" in card["head"], card["head"]
    assert shown[0]["marks"] == 0 and sum(c["marks"] for c in shown[1:]) > 0  # against the first card
    if (model, section) == ("conv", "train_step"):
        assert "no train_step: train_epoch instead" in shown[3]["head"]  # Keras: fit
    if (model, section) == ("deep", "build_model"):
        assert "no build_model: feed_forward instead" in shown[0]["head"]  # TensorFlow


def test_rosetta_is_reached_from_its_selector_and_from_the_section_names(page):
    from selenium.webdriver.support.ui import Select

    driver = page("index.html", "#conv/jax/tensorflow")
    links = driver.find_elements("css selector", "#code-right .row.section a.sec")
    assert "train_step in every framework" in [a.text for a in links]
    next(a for a in links if a.text == "train_step in every framework").click()
    assert driver.execute_script("return location.hash") == "#conv/all/train_step"
    assert len(cards(driver)) == 9
    Select(driver.find_element("id", "section")).select_by_value("predict")
    assert driver.execute_script("return location.hash") == "#conv/all/predict"
    assert cards(driver)[0]["lines"][0].startswith("def predict")
    Select(driver.find_element("id", "model")).select_by_value("mlp")  # the same section, another model
    assert driver.execute_script("return location.hash") == "#mlp/all/predict"
    Select(driver.find_element("id", "right")).select_by_value("flax")  # a framework: back to two
    assert driver.execute_script("return location.hash") == "#mlp/jax/flax"
    assert pane_text(driver, "right").startswith('"""MLP in Flax')
    options = [o.get_attribute("value") for o in Select(driver.find_element("id", "section")).options]
    assert options[0] == "" and {"docstring", "imports", "train_step", "train_epoch", "predict", "main"} <= set(options)


def hrefs(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') ?? e.getAttribute('src'));")


@pytest.mark.parametrize("name", ["index.html", "draw.html", "readme.html"])
def test_every_link_works_with_docs_served_alone(browser, served, name):
    """As on a Pages site: docs/ alone, over HTTP. Each href is fetched (200) or, for a script's
    download link, opened: a blob: URL of the page's own copy of the script, byte for byte."""
    import urllib.parse
    import urllib.request

    base, _ = served
    views = [f"#{m}/{left}/{right}" for m, left, right in PAIRS[:3]] + ["#conv/all/train_step"] \
        if name == "index.html" else [""]
    found, blobs = set(), {}
    for view in views:
        browser.get(base + name + view)
        for href in hrefs(browser):
            if href.startswith("blob:"):
                blobs[href] = browser.execute_script(
                    "return document.querySelector(`[href=\"${arguments[0]}\"]`).download", href)
            else:
                found.add(href)
    assert not [h for h in found if h.startswith("../")], found
    for href in sorted(found):
        if href.startswith(("#", "data:")):
            continue
        if href.startswith("https://"):  # readme.html's link to the original project
            assert href.startswith("https://github.com/"), href
            continue
        url = urllib.parse.urljoin(base + name, href).split("#")[0]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200, href
    if name == "index.html":
        assert len(set(blobs.values())) >= 8
        for href, script in blobs.items():
            browser.get(href)
            with open(os.path.join(pages.ROOT, script), encoding="utf-8") as f:
                assert browser.find_element("tag name", "pre").text == f.read().rstrip("\n"), script
    assert len(found) >= 2


def luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


TOKEN_COLOURS = """
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const background = (e) => {  // the first opaque background at or above e
      for (; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const seen = {};
    for (const s of document.querySelectorAll('.src span, .src mark')) {
      if (!s.textContent.trim() || s.offsetParent === null) continue;
      const key = [rgb(getComputedStyle(s).color).slice(0, 3), background(s)].join('|');
      seen[key] = seen[key] || [s.className || s.tagName, s.textContent.slice(0, 30)];
    }
    return Object.entries(seen);"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_token_colours_read_in_both_colour_schemes(page, browser, scheme):
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    try:
        for view in ("#mlp/numpy/torch", "#conv/theano/mlx", "#deep/keras/flax", "#conv/all/train_step"):
            driver = page("index.html", view)
            assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            pairs = driver.execute_script(TOKEN_COLOURS)
            assert len(pairs) > 10
            for key, (cls, text) in pairs:
                fg, bg = ([float(v) for v in part.split(",")] for part in key.split("|"))
                assert contrast(fg, bg) >= 4.5, (scheme, view, cls, text, fg, bg, round(contrast(fg, bg), 2))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_phone_interleaves_the_two_scripts_row_by_row(page, browser):
    try:
        browser.set_window_size(400, 800)
        driver = page("index.html", "#mlp/numpy/torch")
        shown = driver.execute_script("""
            return [...document.querySelectorAll('#code .row')].filter(r => r.offsetHeight > 0)
              .map(r => ({y: r.getBoundingClientRect().top, side: r.parentElement.id, cls: r.className,
                          label: getComputedStyle(r, '::before').content, text: r.querySelector('.src').textContent}))
              .sort((a, b) => a.y - b.y);""")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 400
        assert not driver.execute_script(
            "return [...document.querySelectorAll('.code, .code .src')].some(e => e.scrollWidth > e.clientWidth + 1)")
        # the whole left script once, in order; the right's lines that differ, each after the left's
        left = [r["text"] for r in shown if r["side"] == "code-left"]
        with open(os.path.join(pages.ROOT, "mlp_numpy.py"), encoding="utf-8") as f:
            assert left == f.read().splitlines()
        right = [r for r in shown if r["side"] == "code-right"]
        assert right and all("changed" in r["cls"] for r in right)
        assert [r["label"] for r in right] == ['"torch"'] * len(right)
        assert all(r["label"] == '"numpy"' for r in shown if r["side"] == "code-left" and "changed" in r["cls"])
        assert shown[0]["side"] == "code-left" and shown[1]["side"] == "code-right"  # line 1, then its pair
        assert [r["text"] for r in shown[:2]] == [open(os.path.join(pages.ROOT, s)).readline().rstrip("\n")
                                                  for s in ("mlp_numpy.py", "mlp_torch.py")]
        heads = [driver.find_element("id", f"head-{s}").rect for s in ("left", "right")]
        assert heads[1]["y"] >= heads[0]["y"] + heads[0]["height"]  # the headers stack
    finally:
        browser.set_window_size(1400, 1000)


# Every word of the code (spaces aside) inside its pane or card, and nothing wider than the page.
WORDS_INSIDE = """
    const out = [];
    for (const src of document.querySelectorAll('.src')) {
      if (!src.offsetHeight) continue;
      const right = src.closest('.row').getBoundingClientRect().right;
      const walker = document.createTreeWalker(src, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode())
        for (const m of n.data.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
          if ([...range.getClientRects()].some(r => r.right > right + 1)) out.push(src.textContent.trim().slice(0, 50));
        }
    }
    return {outside: out, page: [document.documentElement.scrollWidth, document.documentElement.clientWidth]};"""


@pytest.mark.parametrize("fragment", ["#mlp/numpy/mlx", "#conv/flax/mlx", "#deep/keras/torch", "#deep/all/train_epoch",
                                      "#conv/all/build_model", "#conv/tinygrad/torch", "#deep/tinygrad/torch",
                                      "#mlp/all/compile_train_step"])
def test_phone_keeps_every_word_in_view(page, browser, fragment):
    """On a phone (a 400 px viewport, as a phone reports it), a line indented far under a bracket
    (32 columns in conv_deep_torch.py's weights, 24 in conv_deep_keras.py's train_epoch) wraps inside
    its pane: its indentation shows at most 12 columns wide, and nothing scrolls the page sideways."""
    try:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 400, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        driver = page("index.html", fragment)
        assert driver.execute_script("return document.documentElement.clientWidth") == 400
        got = driver.execute_script(WORDS_INSIDE)
        assert got["outside"] == [], (fragment, got["outside"][:5])
        assert got["page"][0] <= got["page"][1], got["page"]  # a phone zooms out to the widest
        # what is left out is spaces only: the far-indented lines still show whole
        shown = driver.execute_script("return [...document.querySelectorAll('.src')].filter(e => e.offsetHeight)"
                                      ".map(e => e.textContent)")
        far = {"#deep/keras/torch": " " * 32 + "w4.T, b4)]",
               "#deep/all/train_epoch": " " * 24 + "shuffle=False, verbose=0)"}
        if fragment in far:
            assert any(text.startswith(far[fragment]) for text in shown), far[fragment]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_legend_swatches_match_their_curves(page):
    driver = page("index.html", "#conv/jax/tensorflow")
    got = driver.execute_script("""
        return ['left', 'right'].map(s => {
          const w = getComputedStyle(document.querySelector(`.head.${s} .swatch`));
          const p = getComputedStyle(document.querySelector(`#chart polyline.${s}`));
          return [w.borderTopColor, w.borderTopStyle, p.stroke, p.strokeDasharray];
        });""")
    (left_colour, left_style, left_stroke, left_dash), (right_colour, right_style, right_stroke, right_dash) = got
    assert left_colour == left_stroke and right_colour == right_stroke and left_colour != right_colour
    assert (left_style, left_dash) == ("solid", "none")
    assert right_style == "dashed" and right_dash != "none"


# ---- the draw page ----

def last(driver, before):
    """The page's latest recognition, once it has made one more than `before`."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return digits.updates") > before)
    return driver.execute_script("return digits.last")


def updates(driver):
    return driver.execute_script("return digits.updates")


NETS = {net: predict.load_weights(os.path.join(pages.ROOT, path))[:2]
        for net, (path, _) in pages.WEIGHTS.items()}


def expected(image):
    """predict.py's 28x28 image and each net's probabilities for a PIL image."""
    x = predict.preprocess(image)
    return x[:, :, 0], {net: predict.probabilities(p, a, x[None])[0] for net, (p, a) in NETS.items()}


def agreement(got, image):
    """Largest pixel and probability differences between the page and predict.py."""
    x, probs = expected(image)
    pixel = float(np.abs(np.array(got["image"]).reshape(28, 28) - x).max())
    prob = max(float(np.abs(np.array(got["probs"][net]) - probs[net]).max()) for net in NETS)
    tops = {net: (int(np.argmax(got["probs"][net])), int(np.argmax(probs[net]))) for net in NETS}
    return pixel, prob, tops


def test_draw_blank_canvas_says_draw_a_digit(page):
    driver = page("draw.html")
    assert driver.find_element("id", "message").text == "Draw a digit"
    assert driver.find_elements("css selector", ".bar") == []
    assert driver.execute_script("return digits.last.probs") is None


STROKES = {  # (pointer kind, strokes as lists of (x, y) in the 280x280 pad, from its centre)
    "1": ("mouse", [[(-20, -80), (0, -100), (0, 100)]]),
    "7": ("pen", [[(-70, -90), (70, -90), (-10, 100)]]),
    "0": ("touch", [[(0, -95), (-50, -70), (-60, 0), (-45, 75), (0, 95), (45, 75), (60, 0),
                     (50, -70), (0, -95)]]),
}


def draw(driver, kind, strokes):
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    pad = driver.find_element("id", "pad")
    kinds = {"mouse": interaction.POINTER_MOUSE, "pen": interaction.POINTER_PEN,
             "touch": interaction.POINTER_TOUCH}
    actions = ActionBuilder(driver, mouse=PointerInput(kinds[kind], kind))
    for stroke in strokes:
        actions.pointer_action.move_to(pad, *stroke[0]).pointer_down()
        for a, b in zip(stroke, stroke[1:]):
            for t in np.linspace(0, 1, 9)[1:]:  # small steps, as a hand moves
                actions.pointer_action.move_to(pad, int(a[0] + t * (b[0] - a[0])),
                                               int(a[1] + t * (b[1] - a[1])))
        actions.pointer_action.pointer_up()
    actions.perform()


def pad_png(driver):
    url = driver.execute_script("return document.getElementById('pad').toDataURL('image/png')")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


@pytest.mark.parametrize("digit", list(STROKES))
def test_draw_strokes_are_recognised_as_predict_py_sees_them(page, digit):
    driver = page("draw.html")
    before = updates(driver)
    kind, strokes = STROKES[digit]
    draw(driver, kind, strokes)
    got = last(driver, before)
    assert got["source"] == "canvas"
    assert [int(np.argmax(got["probs"][net])) for net in NETS] == [int(digit)] * len(NETS), got["probs"]
    pixel, prob, tops = agreement(got, pad_png(driver))  # the same pixels, through predict.py
    assert pixel <= PIXEL and prob <= PROBABILITY, (pixel, prob)
    print(f"\ndrawn {digit} ({kind}): largest pixel difference {pixel * 255:.2f}/255, "
          f"probability {prob:.2e}")
    bars = driver.find_elements("css selector", "#net-mlp .bar .digit")
    assert [b.text for b in bars][0] == digit and len(bars) == 3
    driver.find_element("id", "clear").click()
    assert driver.find_element("id", "message").text == "Draw a digit"
    assert driver.find_elements("css selector", ".bar") == []


def renderings(digit):
    """One MNIST test digit (28x28 uint8, white on black) rendered in several ways a person
    could hand the page: {file name: PNG or JPEG bytes}."""
    big = Image.fromarray(digit).resize((112, 112), Image.BILINEAR)
    ink = np.asarray(big, np.float32) / 255
    out = {}

    def save(name, image, **kw):
        buf = io.BytesIO()
        image.save(buf, format="JPEG" if name.endswith(".jpg") else "PNG", **kw)
        out[name] = buf.getvalue()

    save("as-is.png", Image.fromarray(digit))
    save("dark-on-light.png", Image.fromarray(255 - digit).resize((84, 84), Image.NEAREST))
    paper, blue = np.array([245, 240, 225]), np.array([20, 40, 160])
    rgb = (paper * (1 - ink[..., None]) + blue * ink[..., None]).astype(np.uint8)
    save("blue-ink.jpg", Image.fromarray(rgb), quality=92)
    rgba = np.zeros((112, 112, 4), np.uint8)
    rgba[..., 3] = (ink * 255).astype(np.uint8)  # black ink as alpha on a transparent sheet
    save("transparent.png", Image.fromarray(rgba, "RGBA"))
    rgba[..., :3] = blue  # translucent blue ink: the browser stores it premultiplied
    save("translucent-blue.png", Image.fromarray(rgba, "RGBA"))
    photo = Image.fromarray(255 - digit).resize((900, 1200), Image.BICUBIC).convert("RGB")
    save("photo-sized.jpg", photo, quality=85)
    sheet = Image.new("L", (300, 200), 250)
    sheet.paste(Image.fromarray(255 - np.asarray(big)), (160, 20))
    save("off-centre.jpg", sheet, quality=95)
    return out


@pytest.fixture(scope="module")
def test_digits(real_data_dir):
    """The first test image of each class, as uint8 (28, 28)."""
    _, _, (x, y) = mnist.load_data(shape=(28, 28, 1))
    picks = [int(np.flatnonzero(y == d)[0]) for d in range(10)]
    return [((x[i, :, :, 0] * 255).round().astype(np.uint8), int(y[i])) for i in picks]


def upload(driver, path):
    before = updates(driver)
    driver.find_element("id", "file").send_keys(str(path))
    got = last(driver, before)
    driver.execute_script("document.getElementById('file').value = ''")
    return got


@pytest.mark.slow  # loads the real test set
def test_draw_opened_images_agree_with_predict_py(page, test_digits, tmp_path):
    driver = page("draw.html")
    worst_pixel = worst_prob = 0.0
    count = 0
    files = [os.path.join(DOCS, "seven.png"), os.path.join(DOCS, "four.jpg")]
    for k, (digit, label) in enumerate(test_digits):
        for name, data in renderings(digit).items():
            path = tmp_path / f"{k}-{label}-{name}"
            path.write_bytes(data)
            files.append(str(path))
    for path in files:
        got = upload(driver, path)
        assert got["source"] == os.path.basename(path)
        with Image.open(path) as image:
            pixel, prob, tops = agreement(got, image)
        assert pixel <= PIXEL and prob <= PROBABILITY, (path, pixel * 255, prob)
        assert all(a == b for a, b in tops.values()), (path, tops)
        worst_pixel, worst_prob, count = max(worst_pixel, pixel), max(worst_prob, prob), count + 1
    print(f"{count} images: largest pixel difference {worst_pixel * 255:.2f}/255, "
          f"largest probability difference {worst_prob:.2e}")
    assert count == 2 + 10 * 7


def test_draw_bad_and_blank_files_are_one_line_on_the_page(page, tmp_path):
    driver = page("draw.html")
    (tmp_path / "notes.png").write_text("not an image\n")
    Image.new("RGB", (64, 64), "white").save(tmp_path / "blank.png")
    for name, message in (("notes.png", "notes.png: not a readable image"),
                          ("blank.png", "blank.png: no ink found")):
        got = upload(driver, tmp_path / name)
        assert got["message"] == message and got["probs"] is None
        assert driver.find_element("id", "message").text == message
        assert driver.find_elements("css selector", ".bar") == []


def test_draw_shows_what_the_nets_see(page, tmp_path):
    driver = page("draw.html")
    image = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(image).rectangle((90, 20, 110, 180), fill=255)  # a bar: a "1"
    image.save(tmp_path / "bar.png")
    got = upload(driver, tmp_path / "bar.png")
    shown = driver.execute_script(
        "return Array.from(document.getElementById('seen').getContext('2d')"
        ".getImageData(0, 0, 28, 28).data.filter((v, i) => i % 4 === 0));")
    assert np.abs(np.array(shown) - np.round(np.array(got["image"]) * 255)).max() == 0
    assert max(shown) == 255 and sum(v > 0 for v in shown) > 20


def test_draw_takes_a_dropped_file(page):
    driver = page("draw.html")
    with open(os.path.join(DOCS, "four.jpg"), "rb") as f:
        data = base64.b64encode(f.read()).decode()
    before = updates(driver)
    driver.execute_script("""
        const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
        const drop = new DataTransfer();
        drop.items.add(new File([bytes], "four.jpg", {type: "image/jpeg"}));
        document.getElementById("pad").dispatchEvent(new DragEvent("drop", {dataTransfer: drop}));
        """, data)
    got = last(driver, before)
    assert got["source"] == "four.jpg"
    with Image.open(os.path.join(DOCS, "four.jpg")) as image:
        pixel, prob, tops = agreement(got, image)
    assert pixel <= PIXEL and prob <= PROBABILITY and tops == {"mlp": (4, 4), "conv": (4, 4), "deep": (4, 4)}


# ---- your own weights on the draw page ----

def open_weights(driver, path):
    """Open a .npz through the page's weights input; the page's account of it."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.execute_script("return digits.weightsUpdates")
    driver.find_element("id", "weights").send_keys(str(path))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return digits.weightsUpdates") > before)
    driver.execute_script("document.getElementById('weights').value = ''")
    return driver.execute_script("return digits.weights")


def yours_agree(driver, got, weights, image):
    """The page's probabilities for the net of the file `weights` against predict.py's, with the
    same weights, on the image the page saw (which must be predict.py's image of `image`)."""
    params, activation, _ = predict.load_weights(str(weights))
    x = predict.preprocess(image)
    assert np.abs(np.array(got["image"]).reshape(28, 28) - x[:, :, 0]).max() <= PIXEL
    want = predict.probabilities(params, activation, np.array(got["image"], np.float32).reshape(1, 28, 28, 1))[0]
    key = driver.execute_script("return digits.weights.key")
    return float(np.abs(np.array(got["probs"][key]) - want).max())


def random_weights(path, model, dataset="mnist", layout="plain", **changes):
    """A .npz in a model's shapes (predict.MODELS), as --save writes it, with changes applied;
    layout "compressed" (np.savez_compressed) or "fortran" (the arrays stored first axis fastest,
    as PyTorch's transposed weights are saved)."""
    rng = np.random.default_rng(5)
    arrays = {"dataset": np.array(dataset)}
    for i, shape in enumerate(predict.MODELS[model][0], 1):
        arrays[f"w{i}"] = (rng.standard_normal(shape) / np.sqrt(np.prod(shape[:-1]))).astype(np.float32)
        arrays[f"b{i}"] = (0.1 * rng.standard_normal(shape[-1])).astype(np.float32)
    arrays.update(changes)
    arrays = {k: np.asfortranarray(v) if layout == "fortran" and v.ndim > 1 else v
              for k, v in arrays.items() if v is not None}
    (np.savez_compressed if layout == "compressed" else np.savez)(path, **arrays)
    return path


def seven(driver):
    """Open docs/seven.png on the page: the latest recognition, and the image as PIL sees it."""
    got = upload(driver, os.path.join(DOCS, "seven.png"))
    return got, Image.open(os.path.join(DOCS, "seven.png"))


@pytest.mark.parametrize("model, layout", [("mlp", "plain"), ("conv", "compressed"), ("deep conv", "fortran"),
                                           ("mlp", "fortran")])
def test_draw_runs_weights_in_every_model_as_predict_py(page, tmp_path, model, layout):
    driver = page("draw.html")
    got, image = seven(driver)
    path = random_weights(tmp_path / f"my {model}.npz", model, layout=layout)
    account = open_weights(driver, path)
    names = {"mlp": "MLP", "conv": "conv net", "deep conv": "deep conv net"}
    assert account["message"] == f"my {model}.npz: a {names[model]}, trained on MNIST, beside the built-in nets"
    got = driver.execute_script("return digits.last")  # opened: the image already there, classified again
    assert set(got["probs"]) == {*pages.WEIGHTS, account["key"]}
    assert yours_agree(driver, got, path, image) <= 1e-6
    section = driver.find_element("id", "net-" + account["key"])
    assert section.find_element("css selector", "h2").text == f"my {model}.npz"
    assert "trained on MNIST" in section.text and len(section.find_elements("css selector", ".bar")) == 3
    again = open_weights(driver, path)  # the same file again: the same box, not a second one
    assert again["key"] == account["key"] and len(driver.find_elements("css selector", ".net")) == len(pages.WEIGHTS) + 1
    driver.refresh()  # until the page is reloaded
    assert len(driver.find_elements("css selector", ".net")) == len(pages.WEIGHTS)


def npy_bytes(descr, shape, body=b"", fortran=False):
    """A .npy file written by hand, with any header: a descr and shape text that NumPy would not
    write, and any body."""
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + body


def weights_zip(path, model="mlp", method=zipfile.ZIP_STORED, **entries):
    """random_weights' arrays as .npy entries of a zip, with entries (name -> bytes) put in or
    in place of theirs."""
    random_weights(path, model)
    with np.load(path) as f:
        arrays = {f"{k}.npy": f.zip.read(f"{k}.npy") for k in f.files}
    arrays.update(entries)
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in arrays.items():
            z.writestr(name, data)
    return path


def name_past_the_end(path):
    """A zip whose central directory gives its last entry's name a length running past the file."""
    data = bytearray(random_weights(path, "mlp").read_bytes())
    at = data.rindex(b"PK\x01\x02")
    data[at + 28:at + 30] = (60000).to_bytes(2, "little")
    path.write_bytes(bytes(data))


def trailing_bomb(path):
    """w1.npy holds the MLP's w1 and then 64 MiB of zeros, deflated to 65 KB: an array whose
    entry inflates to far more than its shape."""
    w1 = npy_bytes("<f4", "(784, 100)", np.zeros((784, 100), np.float32).tobytes())
    weights_zip(path, method=zipfile.ZIP_DEFLATED, **{"w1.npy": w1 + bytes(64 * 2 ** 20)})


NOT_DIGITS = "not MNIST or Fashion-MNIST: predict.py and the draw page read MNIST-like digits only (28x28, grey)"
BAD_WEIGHTS = {  # one table for the page and predict.load_weights: file -> (how to make it, the line after "FILE: ")
    "notes.npz": (lambda p: p.write_text("not weights\n"), "not a .npz file (not a zip archive)"),
    "cut.npz": (lambda p: p.write_bytes(random_weights(p, "mlp").read_bytes()[:50_000]),
                "not a .npz file (a damaged zip archive)"),
    "text.npz": (lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hello"), "not .npy arrays (readme.txt)"),
    "objects.npz": (lambda p: np.savez(p, w1=np.array([{"a": 1}], dtype=object)),
                    "w1.npy is an array of |O, not of numbers as --save writes them"),
    "shapes.npz": (lambda p: random_weights(p, "mlp", w1=np.zeros((780, 100), np.float32)),
                   "weights of shapes [(780, 100), (100, 10)] match none of the models (mlp, conv, deep conv)"),
    "nan.npz": (lambda p: random_weights(p, "deep conv", b3=np.full(100, np.nan, np.float32)),
                "the weights hold NaN or infinity (a diverged run?)"),
    "missing.npz": (lambda p: random_weights(p, "conv", b2=None), "no array 'b2' (not weights saved by a script's --save)"),
    "extra.npz": (lambda p: random_weights(p, "mlp", w3=np.zeros(3, np.float32)), "unexpected content for the mlp model"),
    "cifar.npz": (lambda p: random_weights(p, "mlp", dataset="cifar"), f"weights trained on cifar, {NOT_DIGITS}"),
    "own.npz": (lambda p: random_weights(p, "mlp", dataset="digits.npz", w1=np.zeros((768, 100), np.float32)),
                f"weights trained on digits.npz, {NOT_DIGITS}"),
    "tostring.npz": (lambda p: random_weights(p, "mlp", dataset="toString"), f"weights trained on toString, {NOT_DIGITS}"),
    "proto.npz": (lambda p: random_weights(p, "mlp", dataset="__proto__"), f"weights trained on __proto__, {NOT_DIGITS}"),
    "number.npz": (lambda p: random_weights(p, "mlp", dataset=np.float32(1)), "dataset.npy is not text, as --save writes it"),
    "huge.npz": (lambda p: np.savez(p, w1=np.zeros((5000, 1000), np.float32)),
                 "too large a file (19.1 MiB; weights saved by --save are under 1 MiB)"),
    "bomb.npz": (trailing_bomb, "w1.npy inflates to more than the largest weights (64.3 MiB; weights saved by --save "
                                "are under 1 MiB)"),
    "trailing.npz": (lambda p: weights_zip(p, **{"b1.npy": npy_bytes("<f4", "(100,)", bytes(400 + 8))}),
                     "b1.npy is longer than its array (not written by --save)"),
    "negative.npz": (lambda p: weights_zip(p, **{"w1.npy": npy_bytes("<f4", "(-784, 100)", bytes(4))}),
                     "w1.npy is not a .npy array (its header)"),
    "vast.npz": (lambda p: weights_zip(p, **{"w1.npy": npy_bytes("<f4", "(400000000,)", bytes(16))}),
                 "w1.npy is cut short"),
    "codepoint.npz": (lambda p: weights_zip(p, **{"dataset.npy": npy_bytes("<U1", "()", (0x110000).to_bytes(4, "little"))}),
                      "dataset.npy is not text (a character past U+10FFFF, or a lone surrogate)"),
    "longname.npz": (lambda p: random_weights(p, "mlp", dataset="m" * 100_000),
                     "dataset.npy is too long a text (100000 characters; a dataset's name is short)"),
    "pastend.npz": (name_past_the_end, "not a .npz file (a damaged zip archive)"),
}


def bad_weights(tmp_path, name):
    path = tmp_path / name
    BAD_WEIGHTS[name][0](path)
    return path


@pytest.mark.parametrize("name", BAD_WEIGHTS)
def test_bad_weights_are_the_same_line_in_predict(tmp_path, name):
    """predict.load_weights gives each file of the table the page's verdict in the page's words
    (predict.py adds, for a file that is no zip, that the weights come first)."""
    path = bad_weights(tmp_path, name)
    with pytest.raises(predict.InputError) as error:
        predict.load_weights(str(path))
    message = str(error.value)
    assert message.startswith(f"{path}: {BAD_WEIGHTS[name][1]}") and "\n" not in message, message
    assert message == f"{path}: {BAD_WEIGHTS[name][1]}" + (predict.SWAPPED if name == "notes.npz" else "")


def test_draw_bad_weights_are_one_line_and_the_built_in_nets_keep_working(page, tmp_path):
    driver = page("draw.html")
    for name, (_, line) in BAD_WEIGHTS.items():
        account = open_weights(driver, bad_weights(tmp_path, name))
        assert account == {"name": name, "message": f"{name}: {line}", "key": None}, name
        assert driver.find_element("id", "weights-message").text == f"{name}: {line}"
        assert len(driver.find_elements("css selector", ".net")) == len(pages.WEIGHTS)
        got, image = seven(driver)  # and the built-in nets still answer, as predict.py
        assert set(got["probs"]) == set(pages.WEIGHTS)
        pixel, prob, tops = agreement(got, image)
        assert pixel <= PIXEL and prob <= PROBABILITY and all(a == b == 7 for a, b in tops.values()), name
    assert not [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def test_draw_takes_dropped_weights(page, tmp_path):
    driver = page("draw.html")
    got, image = seven(driver)
    data = base64.b64encode(random_weights(tmp_path / "w.npz", "deep conv").read_bytes()).decode()
    before = driver.execute_script("return digits.weightsUpdates")
    driver.execute_script("""
        const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
        const drop = new DataTransfer();
        drop.items.add(new File([bytes], "dropped", {type: "application/octet-stream"}));  // no .npz: a zip all the same
        document.getElementById("pad").dispatchEvent(new DragEvent("drop", {dataTransfer: drop}));
        """, data)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return digits.weightsUpdates") > before)
    assert driver.execute_script("return digits.weights.message").startswith("dropped: a deep conv net")
    assert yours_agree(driver, driver.execute_script("return digits.last"), tmp_path / "w.npz", image) <= 1e-6


@pytest.mark.slow  # trains four scripts (1 epoch, 1,000 images) and one on Fashion-MNIST
def test_draw_runs_the_weights_of_a_short_run_of_each_model(page, real_data_dir, fashion_dir, tmp_path):
    runs = {"mlp_numpy.py": (), "conv_numpy.py": (), "conv_deep_tensorflow.py": (), "conv_tinygrad.py": (),
            "mlp_torch.py": ("--dataset", "fashion")}
    driver = page("draw.html")
    got, image = seven(driver)
    for script, flags in runs.items():
        path = tmp_path / f"{script[:-3]}.npz"
        result = run(script, "--epochs", "1", "--train-size", "1000", *flags, "--save", str(path))
        assert result.returncode == 0, result.stderr[-2000:]
        account = open_weights(driver, path)
        assert account["key"], account
        got = driver.execute_script("return digits.last")
        prob = yours_agree(driver, got, path, image)
        print(f"\n{script} {' '.join(flags)}: largest probability difference {prob:.2e}")
        assert prob <= 1e-6
    section = driver.find_element("id", "net-" + account["key"])  # the Fashion-MNIST net: its classes
    assert "trained on Fashion-MNIST" in section.text and "trained on Fashion-MNIST" in account["message"]
    names = [b.text for b in section.find_elements("css selector", ".bar .digit")]
    assert len(names) == 3 and set(names) <= set(predict.CLASSES["fashion"])
    assert f"{account['name']}: {names[0]} (" in driver.find_element("id", "message").text


@pytest.fixture(scope="module")
def served():
    """docs/ served over HTTP on 127.0.0.1, as GitHub Pages would: (base URL, requests seen)."""
    seen = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            seen.append(self.path)

        def end_headers(self):
            # every load reaches the server, so a test sees what a page fetches (Chromium would
            # otherwise serve an earlier test's copy from its cache, and the server see nothing)
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=DOCS))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    server.shutdown()
    server.server_close()


def test_pages_work_served_and_ask_for_nothing_more(browser, served):
    base, seen = served
    seen.clear()  # what the link tests fetched
    browser.get_log("browser")
    browser.get(base + "index.html#deep/torch/jax")
    with open(os.path.join(pages.ROOT, "conv_deep_jax.py"), encoding="utf-8") as f:
        assert pane_text(browser, "right") == f.read()
    browser.get(base + "draw.html")
    before = updates(browser)
    draw(browser, *STROKES["1"])
    assert [int(np.argmax(p)) for p in last(browser, before)["probs"].values()] == [1] * len(pages.WEIGHTS)
    assert [p.split("#")[0] for p in seen] == ["/index.html", "/draw.html"], seen
    assert not [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
