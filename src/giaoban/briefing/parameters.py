"""The notebooks' parameters as Papermill, nbconvert and JupyterLab hand them over.

* A province is given as its GSO code, a number or a string (`51`, `1`, `"01"`: `papermill -p`
  turns `51` into an int), or by name as reports write it (`Quảng Ngãi`, `quang ngai`, `TP.HCM`),
  matched by the province registry (`Provinces.match`); `province_code` turns it into the two-digit
  code the rest of the library takes.
* Papermill puts the values it was given in a cell of its own (`injected-parameters`, starting
  `# Parameters`) right after the cell tagged `parameters`, or, when that tag is missing, at the top
  of the notebook, where the defaults cell then runs after it and silently replaces them.
  `check_injected` (called by the first cell after the parameters) refuses that page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any
from datetime import date

from giaoban.errors import InputError, ProvinceError
from giaoban.domain.text import nfc
from giaoban.briefing import common

__all__ = ["province_code", "injected_values", "check_injected", "INJECTED_MARK"]

#: How Papermill's injected cell begins (`papermill.translators.PythonTranslator.codify`).
INJECTED_MARK = "# Parameters"
_SHORT_CODE = re.compile(r"\d{1,2}")


def _refuse(value: Any) -> InputError:
    return InputError(
        f'tham số \'province\' cần mã GSO (51, "01") hoặc tên tỉnh như báo cáo viết ("Quảng Ngãi", '
        f'"TP.HCM"), nhận được {value!r}',
        column="province",
    )


def province_code(value: Any, on: Any = None, data_dir: str | Path | None = None) -> str:
    """Return the two-digit GSO code a notebook's `province` parameter names.

    `value` is a code (int `51` or `1`; str `"51"`, `"01"`, `"1"`) or a name matched by the registry
    of `data_dir` (`Provinces.match`: diacritics or not, prefixes, `TP.HCM`…) in force on `on` (a
    date, a `Period`, an ISO date string, or None). A code is not looked up here: the page refuses
    an unknown one. A name of a unit that had ended by `on` gives that unit's code (its page then
    says who held the territory). Refuses (InputError, column `province`) other types, numbers
    outside 1–99, and names that are unknown or designate several units (with the candidates).
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _refuse(value)
    if isinstance(value, int):
        if not 0 < value < 100:
            raise _refuse(value)
        return f"{value:02d}"
    text = nfc(value).strip()
    if _SHORT_CODE.fullmatch(text):
        return text.zfill(2)
    if not text:
        raise _refuse(value)

    registry = common.registry(data_dir)
    when = _date(on)
    try:
        return registry.match(text, on=when).code
    except ProvinceError as dated:
        if when is None:
            raise InputError(dated.detail, column="province") from None
        try:
            return registry.match(text).code  # a unit that had ended (Kon Tum in 2025-H2)
        except ProvinceError:
            raise InputError(dated.detail, column="province") from None


def _date(on: Any) -> Any:
    if isinstance(on, str):
        try:
            return date.fromisoformat(on)
        except ValueError:
            raise InputError(f"tham số 'on' cần một ngày YYYY-MM-DD, nhận được {on!r}", column="on") from None
    return on


def injected_values(history: Sequence[str]) -> tuple[int, dict[str, Any]] | None:
    """Return (index, values) of the last cell in `history` (the sources of the cells a kernel ran, in
    order: IPython's `In`) that Papermill injected, with the values it assigns; None if there is none.

    Only literal values are read (Papermill writes `repr`s); a name bound to anything else is left out.
    """
    for index in range(len(history) - 1, -1, -1):
        source = history[index]
        if not isinstance(source, str) or source.lstrip().partition("\n")[0].rstrip() != INJECTED_MARK:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        values: dict[str, Any] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError):
                    continue
        return index, values
    return None


def _same(bound: Any, injected: Any) -> bool:
    try:
        return type(bound) is type(injected) and bool(bound == injected)
    except (TypeError, ValueError):  # an array-like bound to the name: not what Papermill wrote
        return False


_checked: set[int] = set()  # the injected cells of this kernel already checked (by index in `In`)


def check_injected(namespace: MutableMapping[str, Any] | Mapping[str, Any]) -> None:
    """Refuse a run in which the values Papermill injected were replaced before the page was built.

    `namespace` is the notebook's `globals()`. Papermill inserts its `# Parameters` cell after the
    cell tagged `parameters`; when that tag is lost it inserts it at the top, the defaults cell runs
    after it, and the page would silently be the default one. Each injected value must still be
    bound to the same value. Nothing to check outside IPython, or when nothing was injected
    (nbconvert, JupyterLab); each injected cell is checked once, so cells an analyst re-runs by hand
    later are theirs to change. Refuses (InputError) naming the parameters that were replaced.
    """
    history = namespace.get("In")
    if not isinstance(history, list):
        return
    found = injected_values(history)
    if found is None or found[0] in _checked:
        return
    index, values = found
    replaced = {
        name: value for name, value in values.items() if name in namespace and not _same(namespace[name], value)
    }
    _checked.add(index)
    if replaced:
        said = ", ".join(f"{name}={value!r} (sổ tay đang dùng {namespace[name]!r})" for name, value in replaced.items())
        raise InputError(
            f"sổ tay không dùng tham số Papermill truyền vào: {said}. Ô tham số mặc định đã chạy sau "
            f"ô tham số của Papermill, vì nó mất nhãn (tag) 'parameters': thêm lại nhãn đó cho ô đầu tiên"
        )
