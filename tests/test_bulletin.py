"""The bulletin without a warehouse: district shapes, and the glyph checks the
end-to-end tests use, proven able to fail on a machine without CJK fonts.

The glyph checks live here and are imported by tests/test_end_to_end.py:

- in the browser, every distinct character of the page's text (and of the charts'
  options) is drawn on a canvas in the page's font stack and compared with a
  character no font has (U+10FFFD): equal pixels mean a missing-glyph box (tofu);
- in the PDF, every character of the page's text must come back from the PDF's
  text (a missing glyph is printed as glyph 0, which maps back to no character).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest

from yigongti.bulletin import geo
from yigongti.periods import Period

DISTRICTS_CSV = Path(__file__).parents[1] / "dbt_project" / "seeds" / "ref_districts.csv"

# For each distinct character: its drawing in a font stack vs the drawing of U+10FFFD.
GLYPH_CHECK_JS = """() => {
    const tofu = String.fromCodePoint(0x10FFFD);
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const draw = (ch, font) => {
        ctx.clearRect(0, 0, 64, 64);
        ctx.font = '40px ' + font;
        ctx.textBaseline = 'top';
        ctx.fillText(ch, 4, 4);
        return ctx.getImageData(0, 0, 64, 64).data.join(',');
    };
    const distinct = s => [...new Set(Array.from(s))].filter(c => c.trim() !== '');
    const pageFont = getComputedStyle(document.body).fontFamily;
    const options = (window.bulletinCharts || []).map(c => JSON.stringify(c.getOption())).join('');
    const checks = [
        [pageFont, distinct(document.body.innerText)],
        // ECharts draws its labels in its own default family.
        ['sans-serif', distinct(options).filter(c => c.codePointAt(0) > 0x2e7f)],
    ];
    const missing = [];
    let checked = 0;
    for (const [font, chars] of checks) {
        const box = draw(tofu, font);
        for (const ch of chars) {
            checked++;
            if (draw(ch, font) === box) missing.push(ch);
        }
    }
    return { checked, missing: [...new Set(missing)] };
}"""


def browser_args() -> list[str]:
    return ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is needed (make test installs it)"
    return path


def missing_glyphs(page) -> dict:
    """Run the glyph check in a loaded page: {'checked': n, 'missing': [chars]}."""
    return page.evaluate(GLYPH_CHECK_JS)


def page_text(page) -> str:
    return page.evaluate("document.body.innerText")


def pdf_text(pdf: Path, pages: slice = slice(None)) -> str:
    """The PDF's text, NFKC-normalised (CJK fonts map some glyphs to Kangxi-radical
    or full-width twins, e.g. ⽉ for 月)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = "".join(p.extract_text() for p in reader.pages[pages])
    return unicodedata.normalize("NFKC", text)


def _code_names(font) -> dict[int, str]:
    """A Type 3 font's codes and glyph names (Chromium names them /g<glyph id in hex>)."""
    names, code = {}, 0
    for item in font["/Encoding"].get_object().get("/Differences", []):
        if isinstance(item, int):
            code = int(item)
        else:
            names[code] = str(item)
            code += 1
    return names


def notdef_glyphs(pdf: Path) -> tuple[int, int]:
    """(glyphs drawn, of which glyph 0) over every page and form of the PDF. Glyph 0
    is .notdef, the missing-glyph box: Chromium prints a character no font has with
    it (Type 0 fonts: 2-byte glyph ids; Type 3 fonts: the glyph named /g0)."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(pdf)
    drawn = notdef = 0

    def walk(content, resources):
        nonlocal drawn, notdef
        fonts = resources.get("/Font", {})
        xobjects = resources.get("/XObject", {})
        font = None
        for operands, op in ContentStream(content, reader).operations:
            if op == b"Tf":
                font = fonts[operands[0]].get_object()
            elif op == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    walk(xobject, xobject.get("/Resources", resources).get_object())
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                for string in operands[0] if op == b"TJ" else [operands[-1]]:
                    if not hasattr(string, "original_bytes"):
                        continue  # a TJ spacing number
                    raw = string.original_bytes
                    if font["/Subtype"] == "/Type0":
                        gids = [raw[i] * 256 + raw[i + 1] for i in range(0, len(raw) - 1, 2)]
                        drawn, notdef = drawn + len(gids), notdef + gids.count(0)
                    elif font["/Subtype"] == "/Type3":
                        names = _code_names(font)
                        drawn += len(raw)
                        notdef += sum(names.get(code) == "/g0" for code in raw)
                    else:
                        drawn += len(raw)

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"].get_object())
    return drawn, notdef


def _districts() -> list[geo.District]:
    def day(text):
        return dt.date.fromisoformat(text) if text else None

    with DISTRICTS_CSV.open(encoding="utf-8") as fh:
        return [
            geo.District(r["code"], r["name_zh"], day(r["valid_from"]), day(r["valid_to"]))
            for r in csv.DictReader(fh)
        ]


def test_map_names_old_county_names_by_the_district_dimension():
    codes = geo.match_codes(_districts())
    # The file still says 梁平县 and 武隆县 (under their old codes 500228, 500232).
    assert codes["梁平县"] == "500155" and codes["武隆县"] == "500156"
    assert codes["江北区"] == "500105" and codes["石柱土家族自治县"] == "500240"
    assert len(set(codes.values())) == 38  # every shape is a different district


def test_map_draws_liangjiang_as_the_union_of_jiangbei_and_yubei_from_2026():
    from shapely.geometry import shape

    districts = _districts()
    before = geo.feature_collection(districts, Period.parse("2025-12").end)
    after = geo.feature_collection(districts, Period.parse("2026-01").end)
    old = {f["properties"]["name"]: shape(f["geometry"]) for f in before["features"]}
    new = {f["properties"]["name"]: shape(f["geometry"]) for f in after["features"]}
    # 38 county-level units until 2026-01-24; 37 after (江北区, 渝北区 -> 两江新区).
    assert len(old) == 38 and len(new) == 37
    assert "两江新区" not in old and {"江北区", "渝北区"} <= set(old)
    assert "两江新区" in new and not {"江北区", "渝北区"} & set(new)
    # Names as the dimension has them, not as the file has them.
    assert {"梁平区", "武隆区"} <= set(new) and not {"梁平县", "武隆县"} & set(new)
    # The union: one polygon (the shared border dissolved) covering both areas.
    union, jiangbei, yubei = new["两江新区"], old["江北区"], old["渝北区"]
    assert union.geom_type == "Polygon"
    assert union.area == pytest.approx(jiangbei.area + yubei.area, rel=1e-3)
    assert union.contains(jiangbei.representative_point())
    assert union.contains(yubei.representative_point())
    assert geo.redrawn(districts, Period.parse("2026-01").end)
    assert not geo.redrawn(districts, Period.parse("2025-12").end)


def _sample_bulletin(tmp_path: Path) -> Path:
    """A small bulletin (no warehouse): two indicators over the 2026 districts."""
    from yigongti.bulletin import render
    from yigongti.bulletin.data import (
        Bulletin,
        Completeness,
        Headline,
        Indicator,
        Ranking,
    )

    districts = _districts()
    month = Period.parse("2026-02")
    m07 = Indicator("M07", "区域内基层医疗卫生机构诊疗人次占比", "%", "higher", "month")
    valid = [d for d in districts if d.valid_on(month.end)]
    rows = [(d.code, d.name, 40.0 + i) for i, d in enumerate(valid)][::-1]
    bulletin = Bulletin(
        month=month.start,
        generated_at=dt.datetime(2026, 3, 20, 9, 0),
        headlines=[Headline(m07, month, 50.0, 48.5, 45.0, "final")],
        rankings=[Ranking(m07, month, rows, 50.0)],
        trends=[],
        targets=[],
        completeness=Completeness([], [], [], None),
        districts=districts,
    )
    return render.write(bulletin, tmp_path)


def _fontconfig_without_cjk(tmp_path: Path) -> Path:
    """A fontconfig setup that sees only DejaVu (as a machine without fonts-noto-cjk)."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("DejaVu fonts (a dependency of chromium) not found")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{dejavu}</dir><cachedir>{tmp_path / 'cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return conf


def _check(html: Path, env: dict | None, pdf: Path) -> tuple[dict, str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=browser_args(), env=env)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(html.as_uri())
        page.wait_for_function("window.bulletinReady === true")
        glyphs, text = missing_glyphs(page), page_text(page)
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4", print_background=True)
        browser.close()
    return glyphs, text


def test_glyph_checks_find_boxes_without_cjk_fonts_and_none_with_them(tmp_path):
    import os

    html = _sample_bulletin(tmp_path)
    # With the machine's fonts (fonts-noto-cjk installed by make test): every glyph.
    glyphs, _ = _check(html, None, tmp_path / "with.pdf")
    assert glyphs["checked"] > 100 and glyphs["missing"] == [], glyphs
    drawn, boxes = notdef_glyphs(tmp_path / "with.pdf")
    assert drawn > 500 and boxes == 0
    assert "本月要点" in pdf_text(tmp_path / "with.pdf")
    # The same page where the only fonts are DejaVu's: both checks must fail, on the
    # Chinese characters (of the title 简报, of the names), never on Latin digits.
    env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig_without_cjk(tmp_path)))
    glyphs, _ = _check(html, env, tmp_path / "without.pdf")
    assert {"简", "报", "两", "江"} <= set(glyphs["missing"]), glyphs
    assert not set("0123456789M") & set(glyphs["missing"])
    drawn, boxes = notdef_glyphs(tmp_path / "without.pdf")
    assert drawn > 500 and boxes > drawn / 2  # most of the page is Chinese
    assert "本月要点" not in pdf_text(tmp_path / "without.pdf")
