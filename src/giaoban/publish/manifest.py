"""The manifest of the execution stage: which notebooks were executed, for whom, and with what.

`_build/executed/manifest.json` is written by the execution stage beside the executed notebooks and
is the renderer's only index of them. `read_manifest` checks every field the renderer relies on and
refuses a malformed manifest with a `ManifestError` naming the field (`jobs[3].params.lang`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from giaoban.execution import layout
from giaoban.errors import GiaobanError, InputError
from giaoban.domain.periods import Period

__all__ = [
    "Manifest",
    "Job",
    "ProvinceRef",
    "PeriodRef",
    "MeetingRef",
    "ManifestError",
    "read_manifest",
    "check_job",
    "STATUSES",
    "RENDERED",
    "VISIBILITIES",
]

STATUSES = ("ok", "cached", "failed")
#: Statuses whose notebook is rendered; a failed job is listed but not rendered.
RENDERED = ("ok", "cached")
#: `generated_from.visibility`: "all" (every row of the data), or "public" (a public build).
VISIBILITIES = ("all", "public")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ManifestError(InputError):
    """The manifest is missing, not JSON, or a field is missing or of the wrong form."""


@dataclass(frozen=True)
class ProvinceRef:
    """A province as the manifest names it: GSO code, slug and names."""

    code: str
    slug: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        """Return the name in `lang` ("vi" or "en")."""
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class PeriodRef:
    """A period as the manifest names it: canonical code and labels; `period` is the parsed value."""

    code: str
    label_vi: str
    label_en: str
    period: Period = field(compare=False, repr=False)

    def label(self, lang: str) -> str:
        """Return the label in `lang` ("vi" or "en")."""
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class MeetingRef:
    """The meeting a briefing is for: type code, its label and the date (or None)."""

    type: str
    type_label: str
    date: date | None


@dataclass(frozen=True)
class Job:
    """One executed (or failed) notebook: what it is, where its page goes, and its status."""

    id: str
    notebook: str
    page: str
    params: dict
    title: str
    province: ProvinceRef | None
    period: PeriodRef | None
    meeting: MeetingRef | None
    lang: str
    status: str
    executed: str

    @property
    def rendered(self) -> bool:
        """True when the job's notebook is rendered (status ok or cached)."""
        return self.status in RENDERED


@dataclass(frozen=True)
class Manifest:
    """The whole manifest: where it was read from, what the notebooks ran with, and the jobs.

    `visibility` is "public" when the notebooks read only the data that may be published: the renderer
    then ships only public rows in the downloads."""

    path: Path
    data_hash: str
    packages: dict[str, str]
    jobs: tuple[Job, ...]
    build_date: date | None = None
    visibility: str = "all"

    @property
    def public(self) -> bool:
        """True for the manifest of a public build."""
        return self.visibility == "public"

    @property
    def folder(self) -> Path:
        """The folder of the executed notebooks (the manifest's folder)."""
        return self.path.parent

    def notebook_path(self, job: Job) -> Path:
        """Return the path of the executed notebook of `job`."""
        return self.folder / job.executed

    def rendered_jobs(self) -> list[Job]:
        """Return the jobs to render (status ok or cached), in manifest order."""
        return [j for j in self.jobs if j.rendered]

    def failed_jobs(self) -> list[Job]:
        """Return the failed jobs, in manifest order."""
        return [j for j in self.jobs if not j.rendered]

    def stamp(self) -> date | None:
        """Return the date the books say they were made on: `build_date` (the build's `--date`, its batch
        file's `date:`, `$SOURCE_DATE_EPOCH` or the day it ran), else None (an older manifest: no
        "made on" line rather than a date of the data, which used to pass for it).

        Never the clock: two renders of one manifest give the same date.
        """
        return self.build_date


class _Reader:
    """Checks one manifest; every error names the manifest and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> GiaobanError:
        return ManifestError(message, path=str(self.path), column=where)

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"cần một đối tượng JSON, gặp {type(value).__name__}")
        return value

    def text(self, obj: dict, key: str, where: str, *, empty: bool = False) -> str:
        if key not in obj:
            raise self.fail(f"{where}.{key}", "thiếu trường bắt buộc")
        value = obj[key]
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(f"{where}.{key}", f"cần một chuỗi không rỗng, gặp {value!r}")
        return value

    def date(self, value: Any, where: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise self.fail(where, f"cần ngày dạng YYYY-MM-DD, gặp {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(where, f"ngày không tồn tại: {value!r}") from None

    def province(self, value: Any, where: str) -> ProvinceRef | None:
        if value is None:
            return None
        obj = self.obj(value, where)
        ref = ProvinceRef(*(self.text(obj, k, where) for k in ("code", "slug", "name_vi", "name_en")))
        try:
            layout.province_page(ref.slug)
        except ValueError as e:
            raise self.fail(f"{where}.slug", str(e)) from None
        return ref

    def period(self, value: Any, where: str) -> PeriodRef | None:
        if value is None:
            return None
        obj = self.obj(value, where)
        code = self.text(obj, "code", where)
        try:
            parsed = Period.parse(code)
        except GiaobanError as e:
            raise self.fail(f"{where}.code", str(e)) from None
        return PeriodRef(code, self.text(obj, "label_vi", where), self.text(obj, "label_en", where), parsed)

    def meeting(self, value: Any, where: str) -> MeetingRef | None:
        if value is None:
            return None
        obj = self.obj(value, where)
        return MeetingRef(
            self.text(obj, "type", where),
            self.text(obj, "type_label", where),
            self.date(obj.get("date"), f"{where}.date"),
        )

    def job(self, value: Any, i: int) -> Job:
        where = f"jobs[{i}]"
        obj = self.obj(value, where)
        notebook = self.text(obj, "notebook", where)
        if notebook not in layout.NOTEBOOKS:
            raise self.fail(f"{where}.notebook", f"cần một trong {', '.join(layout.NOTEBOOKS)}, gặp {notebook!r}")
        params = self.obj(obj.get("params"), f"{where}.params")
        lang = self.text(obj, "lang", where)
        if lang not in layout.LANGS:
            raise self.fail(f"{where}.lang", f"cần một trong {', '.join(layout.LANGS)}, gặp {lang!r}")
        if params.get("lang", "vi") != lang:
            raise self.fail(f"{where}.params.lang", f"khác với lang của công việc ({lang!r})")
        status = self.text(obj, "status", where)
        if status not in STATUSES:
            raise self.fail(f"{where}.status", f"cần một trong {', '.join(STATUSES)}, gặp {status!r}")
        province = self.province(obj.get("province"), f"{where}.province")
        period = self.period(obj.get("period"), f"{where}.period")
        needs = {"briefing": ("province", "period"), "province": ("province",), "period": ("period",)}
        for key in needs[notebook]:
            if {"province": province, "period": period}[key] is None:
                raise self.fail(f"{where}.{key}", f"sổ tay {notebook} cần trường {key}")
        page = self.text(obj, "page", where)
        try:
            expected = str(
                layout.page_for(
                    notebook,
                    {**params, "lang": lang, **({"period": period.code} if period else {})},
                    province.slug if province else None,
                )
            )
        except (ValueError, KeyError) as e:
            raise self.fail(f"{where}.page", f"không dựng được đường dẫn trang: {e}") from None
        if page != expected:
            raise self.fail(f"{where}.page", f"cần {expected!r} (theo giaoban.execution.layout), gặp {page!r}")
        executed = self.text(obj, "executed", where)
        rel = PurePosixPath(executed)
        if rel.is_absolute() or ".." in rel.parts or rel.suffix != ".ipynb":
            raise self.fail(f"{where}.executed", f"cần đường dẫn tương đối tới tệp .ipynb, gặp {executed!r}")
        job = Job(
            id=self.text(obj, "id", where),
            notebook=notebook,
            page=page,
            params=params,
            title=self.text(obj, "title", where),
            province=province,
            period=period,
            meeting=self.meeting(obj.get("meeting"), f"{where}.meeting"),
            lang=lang,
            status=status,
            executed=executed,
        )
        if job.rendered and not (self.path.parent / executed).is_file():
            raise self.fail(f"{where}.executed", f"không có sổ tay đã chạy {executed!r} bên cạnh manifest")
        return job

    def read(self) -> Manifest:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ManifestError(
                "không có manifest: hãy chạy các sổ tay trước (giaoban build)", path=str(self.path)
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ManifestError(f"không đọc được JSON UTF-8: {e}", path=str(self.path)) from None
        top = self.obj(raw, "(gốc)")
        gen = self.obj(top.get("generated_from"), "generated_from")
        data_hash = self.text(gen, "data_hash", "generated_from")
        packages = self.obj(gen.get("packages", {}), "generated_from.packages")
        for name, version in packages.items():
            if not isinstance(version, str):
                raise self.fail(f"generated_from.packages.{name}", f"cần phiên bản dạng chuỗi, gặp {version!r}")
        visibility = gen.get("visibility", "all")
        if visibility not in VISIBILITIES:
            raise self.fail("generated_from.visibility", f"cần một trong {', '.join(VISIBILITIES)}, gặp {visibility!r}")
        jobs_raw = top.get("jobs")
        if not isinstance(jobs_raw, list):
            raise self.fail("jobs", "cần một danh sách công việc")
        jobs = tuple(self.job(j, i) for i, j in enumerate(jobs_raw))
        seen: dict[str, int] = {}
        for i, job in enumerate(jobs):
            if job.page in seen:
                raise self.fail(f"jobs[{i}].page", f"trùng trang với jobs[{seen[job.page]}]: {job.page!r}")
            seen[job.page] = i
        return Manifest(
            path=self.path,
            data_hash=data_hash,
            packages=dict(sorted(packages.items())),
            jobs=jobs,
            build_date=self.date(top.get("build_date"), "build_date"),
            visibility=visibility,
        )


def read_manifest(path: str | Path) -> Manifest:
    """Return the checked manifest at `path` (a `manifest.json` or the folder holding it).

    Refuses (ManifestError, naming the field) a missing file, invalid JSON, a missing or mistyped
    field, an unknown notebook, language or status, a page that does not follow `giaoban.execution.layout`,
    two jobs for one page, and an ok/cached job whose executed notebook is missing.
    `build_date` (YYYY-MM-DD) is optional; the books are dated by it, else not dated.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "manifest.json"
    return _Reader(p).read()


def check_job(entry: Any, index: int, path: str | Path) -> Job:
    """Return the `Job` of one manifest entry (`jobs[index]` of the manifest at `path`), checked as
    `read_manifest` checks it; refuses (ManifestError, naming the field) what `read_manifest` would."""
    return _Reader(Path(path)).job(entry, index)
