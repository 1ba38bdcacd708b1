"""Page cleaning: which parts of a saved web page are the article, and which are clutter.

Report texts are news pages saved as text: menus and sidebars before the article, then the title,
the article (with photo captions, sometimes repeated), then "Tin liên quan", polls, weather and
visitor counters. Nothing is removed from the text (offsets must stay valid): the text is cut into
`Block`s (logical lines: a line break inside a sentence does not end a block), and each block gets
a role:

* `title`: the headline (the block before the article that names a meeting or a report);
* `preamble`: anything before the article that is not the title (menus, sidebars, dates);
* `body`: the article, where figures, tasks and references are read;
* `furniture`: page clutter inside or after the article (counters, polls, weather, "Tin liên quan",
  everything after such a closing marker);
* `duplicate`: a body block that repeats an earlier one (captions printed twice), nearly word for
  word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Block", "split_blocks", "classify_blocks", "page_blocks"]

ROLES = ("title", "preamble", "body", "furniture", "duplicate")

# A line ends inside a sentence when its last character is none of these.
_LINE_END = re.compile(r"[.;:!?…\"”’)\]/]\s*$")
_STARTS_LOWER = re.compile(r"^[\s\u00a0]*[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ0-9]")
_WORD = re.compile(r"[^\W_]+(?:[&'’-][^\W_]+)*")

# Blocks that are page clutter wherever they stand (short ones only, see `_is_furniture`).
_FURNITURE = re.compile(r"""(?ix)
    lượt\s+(?:truy\s+cập|xem|đọc|view) | đang\s+(?:truy\s+cập|online|trực\s+tuyến)
  | thống\s+kê\s+truy\s+cập | tổng\s+(?:số\s+)?(?:lượt|bình\s+chọn) | bình\s+chọn | bình\s+luận
  | ý\s+kiến\s+bạn\s+đọc | thời\s+tiết | độ\s+ẩm | nhiệt\s+độ | áp\s+suất | tốc\s+độ\s+gió
  | \d\s*(?:°|o)\s*c\b | thấp\s+nhất | cao\s+nhất
  | xem\s+tin\s+theo\s+ngày | các\s+(?:tin|bài)\s+(?:khác|đã\s+đăng) | tin\s+liên\s+quan
  | tin\s+cùng\s+chuyên\s+mục | tin\s+mới\s+nhất | tin\s+đọc\s+nhiều | xem\s+thêm
  | về\s+trang\s+trước | về\s+đầu\s+trang | lên\s+đầu\s+trang | in\s+(?:nội\s+dung|bài|trang)
  | gửi\s+(?:email|bài|cho\s+bạn) | chia\s+sẻ | đăng\s+nhập | đăng\s+ký\s+nhận\s+tin
  | tìm\s+kiếm | liên\s+kết\s+website | trang\s+chủ | bỏ\s+qua | chọn\s+một\s+ngày
  | cỡ\s+chữ | google | facebook | zalo | twitter | bản\s+in | sơ\s+đồ\s+(?:trang|site)
  | \bA-\s+A\+ | ^\s*[-+]\s+[+-]\s+A | truy\s+cập\s+nội\s+dung | hình\s+ảnh\s+hoạt\s+động
  | video\s*clip | bạn\s+thấy | ^\s*(?:nguồn|tác\s+giả)\s*:
""")
# A block after which the rest of the page is clutter, once the article has begun.
_CLOSING = re.compile(r"""(?ix)^\s*(?:
    tin\s+liên\s+quan | các\s+(?:tin|bài)\s+(?:khác|liên\s+quan|đã\s+đăng) | tin\s+cùng\s+chuyên\s+mục
  | tin\s+khác | bài\s+viết\s+liên\s+quan | xem\s+thêm | ý\s+kiến\s+bạn\s+đọc | bình\s+luận
  | bạn\s+thấy | thống\s+kê\s+truy\s+cập | số\s+lượt\s+(?:đọc|xem|truy\s+cập) | lượt\s+xem
  | về\s+trang\s+trước | in\s+nội\s+dung | xem\s+tin\s+theo\s+ngày | chia\s+sẻ | tags?\s*:
)""")
# A block made of numbers, percents and poll labels only ("50% 1", "a. Đẹp", "% Bình chọn").
_POLL = re.compile(r"(?i)^\s*(?:[\d.,]+\s*%?\s*)+$|^\s*[a-eA-E][.)]\s+\S+(?:\s+\S+){0,3}\s*$|^\s*%")
# The headline names a meeting or a report.
_TITLE_WORDS = re.compile(
    r"(?i)hội\s+nghị|giao\s+ban|sơ\s+kết|tổng\s+kết|kết\s+quả|nhiệm\s+vụ|phương\s+hướng"
    r"|hoạt\s+động\s+khoa\s+học|báo\s+cáo|kế\s+hoạch"
)
_PROSE_WORDS = 15  # a block this long, or longer, is prose: the article has begun
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")


@dataclass
class Block:
    """A logical line of the page at `start:end` (offsets in the NFC text) with its `role`."""

    start: int
    end: int
    text: str
    role: str = "body"

    @property
    def words(self) -> int:
        """Return the number of words in the block."""
        return len(_WORD.findall(self.text))


def split_blocks(text: str) -> list[Block]:
    """Return the blocks of `text`: its non-blank lines, a line joined to the next when the break
    falls inside a sentence (the line ends without punctuation and the next starts in lower case)."""
    blocks: list[Block] = []
    pending: Block | None = None
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        line = m.group().rstrip("\n")
        if not line.strip():
            if pending is not None:
                blocks.append(pending)
                pending = None
            if m.end() >= len(text):
                break
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        end = m.start() + len(line.rstrip())
        if pending is not None and not _LINE_END.search(pending.text) and _STARTS_LOWER.match(line):
            pending = Block(pending.start, end, text[pending.start : end])
            continue
        if pending is not None:
            blocks.append(pending)
        pending = Block(start, end, text[start:end])
        if m.end() >= len(text):
            break
    if pending is not None:
        blocks.append(pending)
    return blocks


def _is_furniture(block: Block) -> bool:
    text = block.text
    if _POLL.search(text):
        return True
    if block.words <= 12 and _FURNITURE.search(text):
        return True
    return re.search(r"(?i)(?:lượt\s+(?:truy\s+cập|xem|đọc)|truy\s+cập)\s*:\s*[\d.]+\s*$", text) is not None


def _is_prose(block: Block) -> bool:
    """A long block with a comma or a semicolon: sidebars, menus and headlines have none."""
    return (
        block.role != "furniture"
        and block.words >= _PROSE_WORDS
        and not _TRUNCATED.search(block.text)
        and re.search(r"[,;]", block.text) is not None
    )


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def classify_blocks(blocks: list[Block]) -> list[Block]:
    """Set the role of every block (see the module docstring) and return the same list."""
    for block in blocks:
        block.role = "furniture" if _is_furniture(block) else "preamble"
    first_prose = next((i for i, b in enumerate(blocks) if _is_prose(b)), len(blocks))
    # The title: the nearest block before the article (or the first prose block itself when it
    # reads like a headline) that names a meeting or a report.
    candidates = [
        i
        for i in range(min(first_prose + 1, len(blocks)))
        if blocks[i].role != "furniture"
        and 4 <= blocks[i].words <= 45
        and not _TRUNCATED.search(blocks[i].text)
        and not blocks[i].text.lstrip().startswith(("•", "-", "+", "*"))
        and _TITLE_WORDS.search(blocks[i].text)
    ]
    body_from = first_prose
    before = [i for i in candidates if i < first_prose]
    candidates = before or candidates or _plain_headline(blocks, first_prose)
    if candidates:
        title = candidates[-1]
        if title == first_prose:
            if first_prose + 1 < len(blocks) and ("," not in blocks[title].text or blocks[title].words <= 25):
                body_from = next((i for i in range(title + 1, len(blocks)) if _is_prose(blocks[i])), len(blocks))
            else:  # the article itself names a report: the headline is a plain line before it, if any
                title = next(iter(_plain_headline(blocks, first_prose)), -1)
                title = title if title < first_prose else -1
        if title >= 0:
            blocks[title].role = "title"
    if first_prose == len(blocks):  # a short text without a long paragraph: all of it is the body
        body_from = next((i + 1 for i, b in enumerate(blocks) if b.role == "title"), 0)
    closed = False
    seen: list[str] = []
    for block in blocks[body_from:]:
        if closed:
            block.role = "furniture"
            continue
        if _CLOSING.search(block.text) and block.words <= 12:
            closed = True
            block.role = "furniture"
            continue
        if block.role == "furniture" or block.role == "title":
            continue
        squashed = _squash(block.text)
        if len(squashed) >= 12 and any(
            SequenceMatcher(None, squashed, other, autojunk=False).ratio() >= 0.9 for other in seen
        ):
            block.role = "duplicate"
            continue
        block.role = "body"
        seen.append(squashed)
    return blocks


_NOT_HEADLINE = re.compile(r"[>»|]|[.:]\s*$")


def _plain_headline(blocks: list[Block], first_prose: int) -> list[int]:
    """The headline of a plain news page that names no meeting or report (`An Giang cấp phép cho 08
    cơ sở X-quang`): the nearest short line before the article that is no menu, date or sentence."""
    for i in range(min(first_prose, len(blocks)) - 1, -1, -1):
        b = blocks[i]
        if (
            b.role != "furniture"
            and 4 <= b.words <= 45
            and not _TRUNCATED.search(b.text)
            and not b.text.lstrip().startswith(("•", "-", "+", "*"))
            and not _NOT_HEADLINE.search(b.text)
            and sum(ch.isdigit() for ch in b.text) * 3 < len(b.text)
        ):
            return [i]
    # A headline long enough to look like prose (`Sóc Trăng: từ đầu năm đến nay, Sở … tổ chức 04 cuộc
    # thanh tra`), or the first line of a short text: taken when it ends without a full stop.
    first = first_prose if first_prose < len(blocks) else 0
    if first + 1 < len(blocks):
        b = blocks[first]
        if 4 <= b.words <= 25 and not _NOT_HEADLINE.search(b.text) and b.role != "furniture":
            return [first]
    return []


def page_blocks(text: str) -> list[Block]:
    """Return the blocks of `text` with their roles: `classify_blocks(split_blocks(text))`."""
    return classify_blocks(split_blocks(text))
