"""Small python-docx building blocks for the committee document: fields, keeping a table together,
header rows, heading sizes, bar rows, and text that XML can hold."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

# XML 1.0 cannot hold these; python-docx refuses text containing them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADING_SIZES = {"Title": 26, "Heading 1": 16, "Heading 2": 14, "Heading 3": 12}  # body text is 11 pt
BAR_WIDTH = 20  # characters in a full bar
BAR_COLOUR = RGBColor(0x0B, 0x4F, 0xA3)


STYLE_IDS = {"Title": "Title", "Subtitle": "Subtitle", "List Bullet": "ListBullet"}  # names -> ids


class Body:
    """Adds paragraphs at the end of the document without python-docx's per-paragraph costs: its
    `add_paragraph(style=...)` looks the style up among all styles, and every insertion searches the
    whole body for the section properties. Both grow with the document (minutes for 1,000 boards)."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._end = doc.element.body.sectPr  # the last child: everything goes before it

    def paragraph(self, text: str = "", style: str | None = None) -> Any:
        p = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(p)
        else:
            self.doc.element.body.append(p)
        paragraph = Paragraph(p, self.doc._body)
        if style is not None:
            p.style = STYLE_IDS.get(style, style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.paragraph(text, "Title" if level == 0 else f"Heading{level}")


def clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


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
    """The strategy and the date in every page's header; "Side 3 af 12" in the footer. The title page
    has neither."""
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


def repeat_header(row: Any) -> None:
    """Repeat the table's header row on every page it spans."""
    row._tr.get_or_add_trPr().append(_on("w:tblHeader"))


def keep_together(table: Any) -> None:
    """No row split across pages, and every row kept on the page of the next: the table stays whole
    (Word's "keep with next" on each row's paragraphs but the last row's, and "can't split")."""
    rows = table._tbl.tr_lst
    for index, tr in enumerate(rows):
        tr.get_or_add_trPr().append(_on("w:cantSplit"))
        if index < len(rows) - 1:
            for cell in _cells(table, tr):
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1) -> Any:
    """A grid table with a bold, repeated header row; columns from `numeric_from` right-aligned."""
    out = doc.add_table(rows=1, cols=len(header))
    out.style = "Table Grid"
    repeat_header(out.rows[0])
    for index, (cell, text) in enumerate(zip(out.rows[0].cells, header, strict=True)):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(text)).bold = True
        if index >= numeric_from:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in rows:
        cells = _cells(out, out.add_row()._tr)
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = clean(str(text))
            if index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    keep_together(out)
    return out


def bar_table(doc: Any, header: Sequence[str], bars: Sequence[tuple[str, int, int, str]]) -> Any:
    """A chart as a table: label, a bar of block characters as long as part/whole, and the figures in
    words. Text, so it prints sharply, is found by search and is read aloud with its numbers."""
    out = doc.add_table(rows=1, cols=3)
    out.style = "Table Grid"
    repeat_header(out.rows[0])
    for cell, text in zip(out.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(text)).bold = True
    for label, part, whole, figures in bars:
        cells = _cells(out, out.add_row()._tr)
        cells[0].text = clean(label)
        filled = round(BAR_WIDTH * part / whole) if whole else 0
        run = cells[1].paragraphs[0].add_run("█" * filled)
        run.font.color.rgb = BAR_COLOUR
        cells[1].paragraphs[0].add_run("░" * (BAR_WIDTH - filled)).font.color.rgb = RGBColor(0xC8, 0xC8, 0xC8)
        cells[2].text = clean(figures)
    keep_together(out)
    return out


def _cells(table: Any, tr: Any) -> list[Any]:
    """The cells of one row (python-docx's `row.cells` builds every cell of the table each time)."""
    return [_Cell(tc, table) for tc in tr.tc_lst]


def _on(tag: str) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element
