"""What the notebooks compute: the briefing of a province for a period, a province over time, a period
across provinces. One module per idea:

| module | idea |
|---|---|
| `values` | one figure as shown: reported, summed over predecessors, or missing; its text |
| `succession` | whose figures make up a territory in a period (2025 merger, Huế); units that ended |
| `comparisons` | a period against a year earlier and the previous period of its kind; key figures |
| `ranks` | rank and median among the provinces, for rankable indicators |
| `focus` | focus tasks set for a period and what the data says of them; tasks for the next one |
| `highlights` | what stands out (changes, share of plan, top or bottom fifth, tasks due) and a task's status, by stated rules |
| `phrases` | the sentences of the highlights, task statuses and charts, in Vietnamese and English |
| `sources` | numbered notes and the sources section (verbatim quotes, checked in the source text) |
| `page`, `province_page`, `period_page` | the three notebooks' pages, section by section |

The analysis functions take plain pandas frames (as `giaoban.data.inputs.Inputs` holds them) and are
tested on them; the page classes add the language, the Markdown and the charts. `charts` and `maps`
(matplotlib in the house style), `tables` (escaped Markdown), `i18n` (the pages' words, Vietnamese
and English) are what the pages are drawn with.

Stage 4. May import: the foundations, the domain (1), the data (2) and reading (3).
"""

from giaoban.briefing.comparisons import ROLES, compare, comparison_periods, key_figures
from giaoban.briefing.focus import follow_up, latest_before, tasks_due, tasks_next
from giaoban.briefing.page import BriefingPage, open_briefing
from giaoban.briefing.period_page import PeriodPage, open_period
from giaoban.briefing.province_page import ProvincePage, open_province
from giaoban.briefing.ranks import province_values, rank_table
from giaoban.briefing.sources import Notes
from giaoban.briefing.succession import ended_unit, territory_values
from giaoban.briefing.values import Value

__all__ = [
    "open_briefing",
    "open_province",
    "open_period",
    "BriefingPage",
    "ProvincePage",
    "PeriodPage",
    "compare",
    "comparison_periods",
    "key_figures",
    "ROLES",
    "territory_values",
    "ended_unit",
    "rank_table",
    "province_values",
    "tasks_due",
    "tasks_next",
    "follow_up",
    "latest_before",
    "Notes",
    "Value",
]
