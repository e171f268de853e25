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
    body.finish()  # before saving: paragraphs are put into the document in batches
    doc.save(path)

Why not python-docx's own `add_paragraph`/`add_run`/`cell.text`: each looks up styles among all
styles, searches the parent for the right place of every new element and builds proxy objects, some
90 µs per element; the committee document for 5,000 boards has over a million. `Body` writes the same
WordprocessingML as text (escaped) and lets lxml parse it in batches of a few thousand paragraphs, so
building grows linearly and stays fast.
Text is cleaned of what XML cannot hold (`clean`); a line break in text becomes a Word line break."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

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

_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LINES = re.compile(r"(\n|\t)")
_FLUSH_AT = 2000  # paragraphs buffered as XML text before they are parsed into the document


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
    """Adds block content at the end of the document's body, before its section properties.
    Paragraphs are buffered as WordprocessingML text and parsed in batches; `finish()` (or the next
    table) puts what is buffered into the document: call it before saving."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._body = doc.element.body
        self._end = self._body.sectPr  # the last child: everything goes before it
        self._pending: list[str] = []

    def _add(self, element: Any) -> None:
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self._body.append(element)

    def finish(self) -> None:
        """Put the buffered paragraphs into the document."""
        if not self._pending:
            return
        for element in _parse(self._pending):
            self._add(element)
        self._pending = []

    def paragraph(self, *runs: str | Run, style: str | None = None, align: str | None = None) -> None:
        """A paragraph of `runs` (plain strings or `Run`s) in `style` (a style name or id).
        `align`: "right" or "center"."""
        self._pending.append(_paragraph(runs, style, align=align))
        if len(self._pending) >= _FLUSH_AT:
            self.finish()

    def heading(self, text: str, level: int) -> None:
        """A heading in Word's heading style (navigation pane, table of contents); level 0 is the title."""
        self.paragraph(text, style="Title" if level == 0 else f"Heading{level}")

    def page_break(self) -> None:
        self._pending.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1) -> Any:
        """A grid table with a bold header row repeated on every page; columns from `numeric_from`
        (0-based) right-aligned; the table kept together on one page where it fits."""
        right = [index >= numeric_from for index in range(len(header))]
        cells: list[list[list[str | Run]]] = [[[bold(h)] for h in header]]
        cells += [[[str(v)] for v in values] for values in rows]
        return self._table(cells, right)

    def bar_table(self, header: Sequence[str], bars: Sequence[tuple[str, int, int, str]]) -> Any:
        """A chart as a table: label, a bar of block characters as long as part/whole, and the figures in
        words. Text, so it prints sharply, is found by search and is read aloud with its numbers."""
        cells: list[list[list[str | Run]]] = [[[bold(h)] for h in header]]
        for label, part, whole, figures in bars:
            filled = round(BAR_WIDTH * part / whole) if whole else 0
            bar: list[str | Run] = [
                Run("█" * filled, colour=BAR_COLOUR),
                Run("░" * (BAR_WIDTH - filled), colour=BAR_EMPTY_COLOUR),
            ]
            cells.append([[label], bar, [figures]])
        return self._table(cells, [False] * len(header))

    def _table(self, rows: list[list[list[str | Run]]], right: list[bool]) -> Any:
        self.finish()
        table = self.doc.add_table(rows=1, cols=len(right))  # the table's properties, grid and widths
        table.style = TABLE_STYLE
        tbl = table._tbl
        self._add(tbl)  # python-docx put it before the section properties already; this keeps it last
        template = tbl.tr_lst[0]
        widths = [etree.tostring(tc.find(f"{{{_NS}}}tcPr"), encoding="unicode") for tc in template.tc_lst]
        widths = [w.replace(f' xmlns:w="{_NS}"', "") for w in widths]
        tbl.remove(template)
        xml = []
        for index, values in enumerate(rows):
            header = '<w:tblHeader w:val="true"/>' if index == 0 else ""  # repeated on every page
            xml.append(f'<w:tr><w:trPr><w:cantSplit w:val="true"/>{header}</w:trPr>')  # no row split over pages
            keep = index < len(rows) - 1  # every row kept with the next: the table stays whole
            for column, runs in enumerate(values):
                align = "right" if right[column] else None
                xml.append(f"<w:tc>{widths[column]}{_paragraph(runs, None, keep_next=keep, align=align)}</w:tc>")
            xml.append("</w:tr>")
        for tr in _parse(xml):
            tbl.append(tr)
        return table


def _parse(fragments: list[str]) -> list[Any]:
    """WordprocessingML fragments (without namespace declarations) as elements."""
    root = etree.fromstring(f'<w:body xmlns:w="{_NS}">{"".join(fragments)}</w:body>'.encode())
    return list(root)


def _paragraph(
    runs: Sequence[str | Run], style: str | None, *, keep_next: bool = False, align: str | None = None
) -> str:
    props = ""
    if style is not None:
        props += f'<w:pStyle w:val="{STYLE_IDS.get(style, style)}"/>'
    if keep_next:
        props += "<w:keepNext/>"
    if align is not None:
        props += f'<w:jc w:val="{align}"/>'
    out = [f"<w:p><w:pPr>{props}</w:pPr>" if props else "<w:p>"]
    for run in runs:
        out.append(_run(run if isinstance(run, Run) else Run(run)))
    out.append("</w:p>")
    return "".join(out)


def _run(run: Run) -> str:
    if not run.text:
        return ""
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    if run.colour:
        props += f'<w:color w:val="{run.colour}"/>'
    out = [f"<w:r><w:rPr>{props}</w:rPr>" if props else "<w:r>"]
    for piece in _LINES.split(clean(run.text)):
        if piece == "\n":
            out.append("<w:br/>")
        elif piece == "\t":
            out.append("<w:tab/>")
        elif piece:
            out.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    out.append("</w:r>")
    return "".join(out)


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
