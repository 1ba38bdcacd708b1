"""Stage 3, reading reports: a report's text becomes proposed figures, which an analyst confirms.

`extract` (text → proposed figures, focus tasks, legal references, with their sentences), `review`
(the review sheet: proposals → rows of `data/`), `form` (the entry form for figures typed by hand),
`workbook` (the Excel house style and reading workbooks back).

May import: the foundations, the domain (1) and the data (2).
"""
