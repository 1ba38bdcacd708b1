"""Confidence: how sure the reader is of each proposed figure and of a document, and why not.

A score from 0 to 1 (1: nothing to doubt) with the reasons, in Vietnamese, that lowered it. The
review sheet (`giaoban ingest`) sorts the figures by it, least sure first, and colours them, so that
the analyst looks first where the reader is least sure. The weights are deliberately simple: each
doubt takes a fixed share off, and the reasons say which.
"""

from __future__ import annotations

from giaoban.reading.extract.model import Document, Fact

__all__ = ["score_fact", "score_document", "LOW", "HIGH"]

#: Below LOW a figure or document is shown red in the review sheet; below HIGH amber; else green.
LOW, HIGH = 0.5, 0.8

# Where the reviewed period was read (`Metadata.period_source`) → (penalty, reason).
_PERIOD_DOUBTS = {
    "first paragraph": (0.1, "kỳ báo cáo đọc từ đoạn đầu, tiêu đề không nêu kỳ"),
    "body": (0.15, "kỳ báo cáo suy ra từ thân bài, tiêu đề và đoạn đầu không nêu kỳ"),
    "year to date": (0.25, "kỳ báo cáo lấy đến ngày đăng bài hoặc ngày họp: văn bản chỉ viết “đến nay”"),
    "plan": (0.15, "văn bản chỉ nêu kỳ kế hoạch: số liệu được coi là của kỳ đó"),
}


def _clamp(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 2)


def score_fact(fact: Fact) -> None:
    """Set `fact.confidence` and `fact.doubts`: lowered for a figure without an indicator (less for a
    part of a breakdown), without a period, a range, a zero read from words, a ratio, a long quote."""
    doubts: list[tuple[float, str]] = []
    if fact.indicator is None:
        doubts.append(
            (0.15, "phần của một tổng, chưa có chỉ tiêu riêng")
            if fact.part_of is not None
            else (0.35, "chưa gán được chỉ tiêu")
        )
    if fact.period is None:
        doubts.append((0.2, "không rõ kỳ của số liệu"))
    if fact.value_high is not None:
        doubts.append((0.2, "khoảng giá trị (từ … đến …): chọn giá trị cần lưu"))
    if fact.value == 0 and fact.as_written.isalpha():
        doubts.append((0.15, "số 0 suy từ lời văn (“không phát hiện …”)"))
    if fact.denominator is not None:
        doubts.append((0.1, f"tỷ số {fact.as_written}: số liệu là tử số"))
    if len(fact.quote) > 300:
        doubts.append((0.1, "trích dẫn dài: kiểm tra con số thuộc ý nào"))
    fact.confidence = _clamp(1.0 - sum(p for p, _r in doubts))
    fact.doubts = [r for _p, r in doubts]


def score_document(doc: Document) -> None:
    """Score every fact of `doc`, then set `doc.confidence` and `doc.confidence_reasons`: lowered
    for a period that is missing or inferred, a missing province, figures without an indicator, no
    figure at all, contradictions among the warnings and a text that is not Vietnamese."""
    for fact in doc.facts:
        score_fact(fact)
    doubts: list[tuple[float, str]] = []
    if doc.language != "vi":
        doubts.append((0.5, "văn bản không phải tiếng Việt"))
    if doc.period is None:
        doubts.append((0.4, "không xác định được kỳ báo cáo"))
    elif doc.period_source in _PERIOD_DOUBTS:
        doubts.append(_PERIOD_DOUBTS[doc.period_source])
    if doc.province is None:
        doubts.append((0.25, "văn bản không nêu tỉnh, thành phố"))
    if doc.facts:
        missing = sum(1 for f in doc.facts if f.indicator is None)
        if missing:
            doubts.append(
                (round(0.3 * missing / len(doc.facts), 2), f"{missing}/{len(doc.facts)} số liệu chưa có chỉ tiêu")
            )
    elif doc.language == "vi":
        doubts.append((0.2, "không tìm thấy số liệu nào"))
    contradictions = [w for w in doc.warnings if "mâu thuẫn" in w]
    if contradictions:
        doubts.append((min(0.2, 0.1 * len(contradictions)), "ngày tháng mâu thuẫn (xem cảnh báo)"))
    if doc.title is None:
        doubts.append((0.05, "không thấy tiêu đề"))
    doc.confidence = _clamp(1.0 - sum(p for p, _r in doubts))
    doc.confidence_reasons = [r for _p, r in doubts]
