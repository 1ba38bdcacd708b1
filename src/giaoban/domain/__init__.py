"""Stage 1, the domain: the language the reports are written in, with no data of their own.

`text` (NFC, folding diacritics), `numbers` (Vietnamese numbers, money, qualifiers), `periods`
(`Period`: 6 tháng, năm, quý, year to date), `provinces` (`Province`, the registry, name matching,
the 2025 merger), `indicators` (the catalogue), `report_text` (a report file's bytes into NFC text).

May import: the foundations at the package's root (`giaoban.errors`, `giaoban.files`, `giaoban.paths`)
and the domain's own modules; nothing of a later stage.
"""
