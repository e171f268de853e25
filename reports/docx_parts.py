"""python-docx building blocks for any document of the bot (the committee document today; a meeting's
prep brief tomorrow): a `Body` that adds paragraphs, headings, tables and bar charts at the end of a
document in constant time each, plus fields, header and footer, language and heading sizes.

    doc = Document()
    body = Body(doc)
    set_language(doc, "da-DK")
    size_headings(doc)
    header_and_footer(doc, "Strategi · 29. november 2026", "Side", "af")
    body.heading("Sammenfatning", level=1)
    body.paragraph(bold("Periode: "), "1. december 2023 – 31. december 2027")
    body.paragraph("Første indsats", style="List Bullet")
    body.table(["Område", "Bestyrelser"], [["Nord", "12"]])
    body.bar_table(["Område", "Har sendt ind", "Andel"], [("Nord", 9, 12, "9 af 12 (75 %)")])
    body.page_break()
    doc.save(path)

Why not python-docx's own `add_paragraph`/`add_run`/`cell.text`: each looks up styles among all
styles, searches the parent for the right place of every new element and builds proxy objects, some
90 µs per element; the committee document for 5,000 boards has over a million. `Body` writes the same
WordprocessingML with lxml directly (a few µs per element), so building grows linearly and stays fast.
Text is cleaned of what XML cannot hold (`clean`); a line break in text becomes a Word line break."""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree  # type: ignore[import-untyped]

# XML 1.0 cannot hold these; python-docx refuses text containing them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADING_SIZES = {"Title": 26, "Heading 1": 16, "Heading 2": 14, "Heading 3": 12}  # body text is 11 pt
BAR_WIDTH = 20  # characters in a full bar
BAR_COLOUR = "0B4FA3"
BAR_EMPTY_COLOUR = "C8C8C8"
STYLE_IDS = {"Title": "Title", "Subtitle": "Subtitle", "List Bullet": "ListBullet"}  # style names -> ids
TABLE_STYLE = "Table Grid"

_W = {name: qn(f"w:{name}") for name in (
    "p", "pPr", "pStyle", "keepNext", "jc", "r", "rPr", "b", "i", "color", "t", "br", "tab", "val",
    "tr", "trPr", "cantSplit", "tblHeader", "tc", "tcPr", "type",
)}  # fmt: skip
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_LINES = re.compile(r"(\n|\t)")


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of a paragraph's text, bold, italic and/or coloured (a hex RGB such as "0B4FA3")."""

    text: str
    bold: bool = False
    italic: bool = False
    colour: str | None = None


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


def clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


class Body:
    """Adds block content at the end of the document's body, before its section properties."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._body = doc.element.body
        self._end = self._body.sectPr  # the last child: everything goes before it

    def _add(self, element: Any) -> Any:
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self._body.append(element)
        return element

    def paragraph(self, *runs: str | Run, style: str | None = None, align: str | None = None) -> Any:
        """A paragraph of `runs` (plain strings or `Run`s) in `style` (a style name or id); returns
        its `w:p` element. `align`: "right" or "center"."""
        return self._add(_paragraph(runs, style, align=align))

    def heading(self, text: str, level: int) -> Any:
        """A heading in Word's heading style (navigation pane, table of contents); level 0 is the title."""
        return self.paragraph(text, style="Title" if level == 0 else f"Heading{level}")

    def page_break(self) -> None:
        p = etree.Element(_W["p"])
        r = etree.SubElement(p, _W["r"])
        etree.SubElement(r, _W["br"]).set(_W["type"], "page")
        self._add(p)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1) -> Any:
        """A grid table with a bold header row repeated on every page; columns from `numeric_from`
        (0-based) right-aligned; the table kept together on one page where it fits."""
        right = [index >= numeric_from for index in range(len(header))]
        cells: list[list[list[str | Run]]] = [[[bold(clean(h))] for h in header]]
        cells += [[[clean(str(v))] for v in values] for values in rows]
        return self._table(cells, right)

    def bar_table(self, header: Sequence[str], bars: Sequence[tuple[str, int, int, str]]) -> Any:
        """A chart as a table: label, a bar of block characters as long as part/whole, and the figures in
        words. Text, so it prints sharply, is found by search and is read aloud with its numbers."""
        cells: list[list[list[str | Run]]] = [[[bold(clean(h))] for h in header]]
        for label, part, whole, figures in bars:
            filled = round(BAR_WIDTH * part / whole) if whole else 0
            bar: list[str | Run] = [
                Run("█" * filled, colour=BAR_COLOUR),
                Run("░" * (BAR_WIDTH - filled), colour=BAR_EMPTY_COLOUR),
            ]
            cells.append([[clean(label)], bar, [clean(figures)]])
        return self._table(cells, [False] * len(header))

    def _table(self, rows: list[list[list[str | Run]]], right: list[bool]) -> Any:
        table = self.doc.add_table(rows=1, cols=len(right))  # the table's properties, grid and widths
        table.style = TABLE_STYLE
        tbl = table._tbl
        self._add(tbl)  # python-docx put it before the section properties already; this keeps it last
        template = tbl.tr_lst[0]
        widths = [deepcopy(tc.find(_W["tcPr"])) for tc in template.tc_lst]
        tbl.remove(template)
        for index, values in enumerate(rows):
            tr = etree.SubElement(tbl, _W["tr"])
            tr_pr = etree.SubElement(tr, _W["trPr"])
            etree.SubElement(tr_pr, _W["cantSplit"]).set(_W["val"], "true")  # no row split across pages
            if index == 0:
                etree.SubElement(tr_pr, _W["tblHeader"]).set(_W["val"], "true")  # repeated on every page
            keep = index < len(rows) - 1  # every row kept with the next: the table stays whole
            for column, runs in enumerate(values):
                tc = etree.SubElement(tr, _W["tc"])
                if widths[column] is not None:
                    tc.append(deepcopy(widths[column]))
                tc.append(_paragraph(runs, None, keep_next=keep, align="right" if right[column] else None))
        return table


def _paragraph(
    runs: Sequence[str | Run], style: str | None, *, keep_next: bool = False, align: str | None = None
) -> Any:
    p = etree.Element(_W["p"])
    if style is not None or keep_next or align is not None:
        ppr = etree.SubElement(p, _W["pPr"])
        if style is not None:
            etree.SubElement(ppr, _W["pStyle"]).set(_W["val"], STYLE_IDS.get(style, style))
        if keep_next:
            etree.SubElement(ppr, _W["keepNext"])
        if align is not None:
            etree.SubElement(ppr, _W["jc"]).set(_W["val"], align)
    for run in runs:
        _run(p, run if isinstance(run, Run) else Run(run))
    return p


def _run(p: Any, run: Run) -> None:
    if not run.text:
        return
    r = etree.SubElement(p, _W["r"])
    if run.bold or run.italic or run.colour:
        rpr = etree.SubElement(r, _W["rPr"])
        if run.bold:
            etree.SubElement(rpr, _W["b"])
        if run.italic:
            etree.SubElement(rpr, _W["i"])
        if run.colour:
            etree.SubElement(rpr, _W["color"]).set(_W["val"], run.colour)
    for piece in _LINES.split(clean(run.text)):
        if piece == "\n":
            etree.SubElement(r, _W["br"])
        elif piece == "\t":
            etree.SubElement(r, _W["tab"])
        elif piece:
            t = etree.SubElement(r, _W["t"])
            t.text = piece
            if piece[0].isspace() or piece[-1].isspace():
                t.set(_SPACE, "preserve")


def set_language(doc: Any, lang: str) -> None:
    """Mark the text as the document's language, for spelling and for screen readers."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), lang)
    rpr.append(element)


def size_headings(doc: Any) -> None:
    """Headings clearly larger than the body text (the default Heading 3 is as small as the body)."""
    doc.styles["Normal"].font.size = Pt(11)
    for name, size in HEADING_SIZES.items():
        doc.styles[name].font.size = Pt(size)


def add_field(paragraph: Any, instruction: str) -> None:
    """A Word field such as PAGE or NUMPAGES; Word fills in the value when it lays out the page."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def header_and_footer(doc: Any, header_text: str, page_label: str, of_label: str) -> None:
    """The header text (say, the strategy and the date) on every page; "Side 3 af 12" in the footer.
    The title page has neither."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = clean(header_text)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{page_label} ")
    add_field(footer, "PAGE")
    footer.add_run(f" {of_label} ")
    add_field(footer, "NUMPAGES")
