"""A meeting's prep brief (`dialogs.meetings.brief.Brief`) as a Word document, with python-docx: the
title, when and where, who takes part, then one heading per section with its questions and answers
(as bold question, answer paragraph) and its lines (as a list)."""

from __future__ import annotations

from io import BytesIO

from docx import Document

from dialogs.meetings.brief import Brief
from dialogs.texts import Texts


def brief_docx(brief: Brief, t: Texts) -> bytes:
    document = Document()
    document.core_properties.title = brief.title
    document.add_heading(brief.title, level=0)
    document.add_paragraph(brief.meta)
    if brief.purpose:
        document.add_paragraph().add_run(brief.purpose).italic = True
    document.add_heading(t("Taking part"), level=1)
    for name in brief.attendees:
        document.add_paragraph(name, style="List Bullet")
    for section in brief.sections:
        document.add_heading(section.heading, level=1)
        for label, text in section.items:
            question = document.add_paragraph()
            question.add_run(label).bold = True
            document.add_paragraph(text)
        for line in section.lines:
            document.add_paragraph(line.strip(), style="List Bullet 2" if line.startswith("    ") else "List Bullet")
    out = BytesIO()
    document.save(out)
    return out.getvalue()
