"""Exports and documents for people: presentation, not storage.

Layers: `bot → reports → dialogs/storage`. The data comes from `storage.export.build_export` (one
plain dict, read with a fixed number of queries); this package turns it into files and documents in
the reader's language (`reports.texts`), and `dialogs/` and `storage/` never import it.

- `reports.texts`: `ReportTexts` and `report_texts(t)` / `report_texts_for(locale)`, every label
  through the gettext catalogs.
- `reports.committee`: `committee_report(data)`, the export summed up (per area, per goal, follow-ups).
- `reports.rows`: what every writer reads the same way (rows per local goal, follow-up lines, dates).
- `reports.writers`: `write_export(data, fmt, out, texts=...)`: JSON, CSV, Markdown, and the two below.
- `reports.xlsx`: `write_xlsx`, streamed (XlsxWriter's constant-memory mode).
- `reports.committee_docx`: `write_docx`, the committee's document.
- `reports.docx_parts`: python-docx building blocks for any document (see its docstring): `Body` to
  add paragraphs and headings in constant time, `table`, `bar_table`, `header_and_footer`,
  `set_language`, `size_headings`, `clean`. A new document (say, a meeting's prep brief) is a
  module here that builds on them like `committee_docx` does.
- `reports.document`: `prepare` (municipality, time plan) and `render_bytes` for the CLI and the web.
"""
