"""Stage 2, the data: the tidy tables of `data/`, their validation, and the loaded dataset.

`validation` (every problem as `file:row:column`), `dataset` (the tables as typed frames, loaded
only when valid), `datacache` (the validated dataset cached under the files' hashes), `snapshot`
(the copy of `data/` a build owns), `inputs` (exactly the rows one notebook job reads, and their
fingerprint), `standings` (rank and median among the provinces), `journal` (writing several data
files all or nothing).

May import: the foundations and the domain (stage 1).
"""
