"""The presenter's plan builder: what a live session shows, in which order.

One click takes a ready-made plan (the facilitator guide's 45 and 90 minutes, ten mixed cases,
the hard ones, the whole library); a search with filters finds cases to add, the contrast pairs
(two cases the phones answer side by side) and the ready-made questions are listed beside them; a course leader's own case file adds its cases (and makes them
searchable). The plan is a numbered list with move up, move down and remove per row; it can be
saved as a small file and loaded again. ``selected()`` gives the session's items, as
:class:`kit.cases.picker.CaseSetPicker` gives its cases.

What a plan is, the ready-made plans, the search and the plan file are
:mod:`kit.live.plan` (pure); the rows' HTML is :mod:`kit.live.plan_html`. The lists are
:class:`kit.core.ui.rows.RowList` (one widget model each, however long), updated in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from urllib.parse import parse_qs

import ipywidgets as widgets

from kit.cases.case import PROCESSES, TIERS, Case, domain_label
from kit.cases.casefile import CaseReport, read_cases_bytes
from kit.cases.html import upload_status_html
from kit.cases.pairs import ContrastPair, find_pairs
from kit.cases.picker import UPLOAD_TYPES
from kit.core.html import download_link, heading, paragraph
from kit.core.i18n import t
from kit.core.ui.app import html, request_query
from kit.core.ui.controls import PressButton, Region
from kit.core.ui.rows import RowList, action, row
from kit.core.ui.upload import FileInput
from kit.live import plan_html as ph
from kit.live.plan import (
    MAX_ID_CHARS,
    MAX_PLAN_BYTES,
    PlanFileError,
    PlanSets,
    Resolved,
    SessionPlan,
    filter_cases,
    item_pool,
    load_plan_sets,
    overlaps,
    pair_matches,
    plan_file_name,
    plan_to_yaml,
    read_plan,
    resolve,
)
from kit.live.questions import Item, Question
from kit.model.labels import process_label

__all__ = ["PlanBuilder", "requested_plan"]

#: At most this many search results are listed at a time.
SHOWN_RESULTS = 30
PLAN_TYPES = ".yaml,.yml,.json"
YAML_MIME = "application/yaml"


def requested_plan() -> str | None:
    """The ready-made plan named in the page address (``?plan=guide-45``), if any."""
    values = parse_qs(request_query()).get("plan")
    return values[0][:MAX_ID_CHARS] if values and values[0] else None


class PlanBuilder:
    """The controls and state of a session plan; ``build(lang)`` makes the widgets once,
    later calls change their texts."""

    def __init__(
        self,
        library: Sequence[Case],
        questions: Sequence[Question],
        *,
        sets: PlanSets | None = None,
        preset: str | None = None,
    ) -> None:
        self.library = tuple(library)
        self.questions = tuple(questions)
        self.sets = sets if sets is not None else load_plan_sets()
        #: a course leader's own cases (from the last good file)
        self.own: tuple[Case, ...] = ()
        self.own_report: CaseReport | None = None
        self.own_name = ""
        self.plan = SessionPlan()
        #: the ready-made plan the plan is, until it changes (its button shows pressed)
        self.set_id: str | None = None
        #: the title came from a ready-made plan (so it follows the language)
        self._auto_title = False
        self.query = ""
        self.tier = ""
        self.domain = ""
        self.process = ""
        self.lang = "nb"
        self._message: Callable[[str], str] = lambda _lang: ""
        self._built = False
        self._quiet = False
        #: called after the plan changes, so an app can follow
        self.on_change: Callable[[], object] | None = None
        self.own_upload = FileInput(
            self.load_cases_file,
            accept=UPLOAD_TYPES,
            label_key="splan_own_label",
            on_reject=self._on_own_reject,
        )
        self.plan_upload = FileInput(
            self.load_plan_file,
            accept=PLAN_TYPES,
            label_key="splan_load_label",
            limit=MAX_PLAN_BYTES,
        )
        self.use_preset(preset)

    def use_preset(self, preset: str | None) -> None:
        """Start from the ready-made plan named in the page address (``?plan=``), if any; an
        unknown name is said. Also after ``build`` (a preheated kernel learns the address once
        its visitor comes)."""
        if preset:
            if self.sets.get(preset) is None:
                self._say(lambda lang: [t("splan_query_unknown", lang, plan=preset)], error=True)
            else:
                self.choose_set(preset)

    # -- what the plan holds ----------------------------------------------------------------
    @property
    def pool(self) -> dict[str, Item]:
        """Every item a plan may name: the library, the own cases (which win), the contrast
        pairs among them, the questions."""
        return item_pool(self.library, self.own, self.pairs(), self.questions)

    def pairs(self) -> tuple[ContrastPair, ...]:
        """The contrast pairs of the own file's cases and the library's."""
        return find_pairs(self.cases())

    def pair_results(self) -> tuple[ContrastPair, ...]:
        """The pairs the search, the tier and the domain filter find (either case matching)."""
        return tuple(
            p
            for p in self.pairs()
            if (not self.tier or p.tier == self.tier)
            and (not self.domain or self.domain in (p.first.domain, p.second.domain))
            and pair_matches(p, self.query)
        )

    def cases(self) -> tuple[Case, ...]:
        """The cases to search: the own file's first, then the library's other ones."""
        own = {c.id for c in self.own}
        return self.own + tuple(c for c in self.library if c.id not in own)

    def selected(self) -> tuple[Item, ...]:
        """The session's items: the plan's cases and questions, in order."""
        return resolve(self.plan, self.pool).items

    def results(self) -> tuple[Case, ...]:
        """Every case the search and the filters find."""
        return filter_cases(
            self.cases(), self.query, tier=self.tier, domain=self.domain, process=self.process
        )

    # -- changing the plan (callable from tests and notebooks) ------------------------------
    def choose_set(self, set_id: str) -> bool:
        """Make the plan the ready-made plan ``set_id`` (what its button does)."""
        chosen = self.sets.get(set_id)
        if chosen is None:
            return False
        made = chosen.plan(self.library, self.lang)
        found = resolve(made, self.pool)
        self._set_plan(SessionPlan(made.title, found.ids), set_id=set_id, auto_title=True)
        items = found.items
        self._say(
            lambda lang: [
                t("splan_set_chosen", lang, title=chosen.title.get(lang)),
                ph.count_text(items, lang),
                *found.lines(lang),
            ]
        )
        return True

    def add(self, item_id: str) -> bool:
        item = self.pool.get(item_id)
        if item is None or item_id in self.plan:
            return False
        if overlaps(item, self.selected()):
            # a case already in the plan, alone or in a contrast pair, is not added twice
            self._say(
                lambda lang: [t("splan_overlap_one", lang, title=ph.short_title(item, lang))],
                error=True,
            )
            return False
        self._set_plan(self.plan.add(item_id))
        number, total = len(self.plan), len(self.plan)
        self._say(
            lambda lang: [
                t("splan_added", lang, title=ph.short_title(item, lang), n=number, total=total)
            ]
        )
        return True

    def add_results(self) -> int:
        """Add every case the search finds (not only those listed); returns how many."""
        before = len(self.plan)
        self._set_plan(self.plan.add(*(c.id for c in self.results())))
        added, total = len(self.plan) - before, len(self.plan)
        self._say(lambda lang: [t("splan_added_many", lang, n=added, total=total)])
        return added

    def remove(self, index: int) -> bool:
        items = self.selected()
        if not 0 <= index < len(items):
            return False
        item = items[index]
        self._set_plan(self.plan.remove(index))
        self._say(lambda lang: [t("splan_removed", lang, title=ph.short_title(item, lang))])
        if getattr(self, "plan_rows", None) is not None:
            keys = self.plan_rows.row_keys()
            if keys:
                self.plan_rows.focus(keys[min(index, len(keys) - 1)], "remove")
        return True

    def move(self, index: int, step: int) -> bool:
        items = self.selected()
        if not 0 <= index < len(items) or not 0 <= index + step < len(items):
            return False
        item = items[index]
        self._set_plan(self.plan.move(index, step))
        number, total = index + step + 1, len(items)
        self._say(
            lambda lang: [
                t("splan_moved", lang, title=ph.short_title(item, lang), n=number, total=total)
            ]
        )
        if getattr(self, "plan_rows", None) is not None:
            # the focus follows the row, on the same button while it applies
            first, last = index + step == 0, index + step == len(items) - 1
            wanted = "up" if step < 0 else "down"
            if (wanted == "up" and first) or (wanted == "down" and last):
                wanted = "down" if wanted == "up" else "up"
            self.plan_rows.focus(item.id, wanted)
        return True

    def clear(self) -> None:
        self._set_plan(SessionPlan())
        self._say(lambda lang: [t("splan_cleared", lang)])

    def search(
        self,
        query: str | None = None,
        *,
        tier: str | None = None,
        domain: str | None = None,
        process: str | None = None,
    ) -> tuple[Case, ...]:
        """Set the search and any filter given (``""`` frees one); returns what it finds."""
        if query is not None:
            self.query = query
        if tier is not None:
            self.tier = tier
        if domain is not None:
            self.domain = domain
        if process is not None:
            self.process = process
        if self._built:
            self._quiet = True
            try:
                self.search_box.value = self.query
                self.tier_choice.value = self.tier
                self.domain_choice.value = self.domain if self.domain in self._domains() else ""
                self.process_choice.value = self.process
            finally:
                self._quiet = False
            self._show_results()
        return self.results()

    # -- files ------------------------------------------------------------------------------
    def save(self) -> bytes | None:
        """The plan as a file, offered as a download link (None for an empty plan)."""
        items = self.selected()
        if not items:
            self._say(lambda lang: [t("splan_save_empty", lang)], error=True)
            return None
        title = self.plan.title.strip() or t("splan_default_title", self.lang)
        saved = SessionPlan(title, tuple(i.id for i in items))
        data = plan_to_yaml(saved, self.lang)
        name = plan_file_name(saved)
        if self._built:
            self.save_link.value = download_link(
                data, YAML_MIME, name, t("splan_save_link", self.lang, name=name)
            )
        self._say(lambda lang: [t("splan_saved", lang, name=name)])
        return data

    def load_plan_file(self, data: bytes, name: str) -> Resolved | None:
        """What loading a plan file does: the plan it holds, as far as this kit knows its ids;
        a file it cannot read leaves the plan as it was and says why."""
        try:
            loaded = read_plan(data, name)
        except PlanFileError as exc:
            refused = exc  # the name "exc" is gone after the except block
            self._say(lambda lang: [refused.message(lang)], error=True)
            return None
        found = resolve(loaded, self.pool)
        self._set_plan(SessionPlan(loaded.title, found.ids))
        items = found.items
        title = loaded.title or name

        def lines(lang: str) -> list[str]:
            return [
                t("splan_loaded", lang, title=title),
                ph.count_text(items, lang),
                *found.lines(lang),
            ]

        self._say(lines, error=bool(found.unknown))
        return found

    def load_cases_file(self, data: bytes, name: str) -> CaseReport:
        """What uploading a case file does: its cases become searchable and join the plan."""
        report = read_cases_bytes(data, name, self.lang)
        self.own_report, self.own_name = report, name
        if report.ok:
            self.own = report.cases
            if self._built:
                self._fill_domains()
            pool = self.pool
            kept = tuple(i for i in self.plan.items if i in pool)
            self._set_plan(
                SessionPlan(self.plan.title, kept).add(*(c.id for c in report.cases)),
                keep_set=False,
            )
            n = len(report.cases)
            self._say(lambda lang: [t("splan_own_added", lang, name=name, n=n)])
        else:
            self._say(lambda lang: [t("splan_own_failed", lang, name=name)], error=True)
        self._show_own()
        return report

    def _on_own_reject(self, _name: str, _size: int) -> None:
        self.own_report, self.own_name = None, ""
        self._show_own()

    # -- the widgets ------------------------------------------------------------------------
    def build(self, lang: str, actions: Sequence[widgets.Widget] = ()) -> list[widgets.Widget]:
        """The builder's widgets, with ``actions`` (the app's start button) under the plan.
        Made on the first call; later calls change their texts in place."""
        if not self._built:
            self._make()
            self._built = True
        self.set_texts(lang)
        return [
            self.heading,
            self.intro,
            self.sets_heading,
            self.set_box,
            self.sets_info,
            self.plan_heading,
            self.count,
            self.title_box,
            self.plan_rows,
            self.message,
            self.plan_tools,
            self.save_link,
            self.plan_upload,
            *actions,
            self.search_heading,
            self.filters,
            self.results_count,
            self.result_rows,
            self.add_all_button,
            self.pairs_heading,
            self.pairs_note,
            self.pair_rows,
            self.questions_heading,
            self.questions_note,
            self.question_rows,
            self.own_heading,
            self.own_note,
            self.own_upload,
            self.own_status,
        ]

    def _make(self) -> None:
        self.heading = html("")
        self.intro = html("", "kit-lead")
        self.sets_heading = html("")
        self.set_buttons: dict[str, PressButton] = {}
        for plan_set in self.sets.sets:
            button = PressButton()
            button.on_click(partial(self._on_set_button, plan_set.id))
            self.set_buttons[plan_set.id] = button
        self.set_box = widgets.HBox(list(self.set_buttons.values()))
        self.set_box.add_class("kit-wrap")
        self.set_box.add_class("kit-plan-set-buttons")
        self.sets_info = html("")
        self.plan_heading = html("")
        self.count = html("", "kit-plan-count")
        self.title_box = widgets.Text(
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
            continuous_update=False,
        )
        self.title_box.add_class("kit-plan-title-field")
        self.title_box.observe(self._on_title, names="value")
        self.plan_rows = RowList(ordered=True)
        self.plan_rows.add_class("kit-plan-list")
        self.plan_rows.on_act(self._on_plan_act)
        self.message = Region(role="status", cls="kit-plan-status")
        self.clear_button = widgets.Button()
        self.clear_button.on_click(lambda _b: self.clear())
        self.save_button = widgets.Button()
        self.save_button.on_click(lambda _b: self.save())
        self.plan_tools = widgets.HBox([self.save_button, self.clear_button])
        self.plan_tools.add_class("kit-wrap")
        self.save_link = html("")
        self.search_heading = html("")
        self.search_box = widgets.Text(
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
            continuous_update=True,
        )
        self.search_box.add_class("kit-plan-search")
        dropdown = {"style": {"description_width": "initial"}, "layout": {"width": "auto"}}
        self.tier_choice = widgets.Dropdown(**dropdown)
        self.domain_choice = widgets.Dropdown(**dropdown)
        self.process_choice = widgets.Dropdown(**dropdown)
        self.filters = widgets.HBox(
            [self.search_box, self.tier_choice, self.domain_choice, self.process_choice]
        )
        self.filters.add_class("kit-wrap")
        self.filters.add_class("kit-plan-filters")
        self.search_box.observe(self._on_filter, names="value")
        for choice in (self.tier_choice, self.domain_choice, self.process_choice):
            choice.observe(self._on_filter, names="value")
        self.results_count = Region(role="status", cls="kit-plan-results-count")
        self.result_rows = RowList()
        self.result_rows.on_act(self._on_result_act)
        self.add_all_button = widgets.Button()
        self.add_all_button.on_click(lambda _b: self.add_results())
        self.pairs_heading = html("")
        self.pairs_note = html("")
        self.pair_rows = RowList()
        self.pair_rows.add_class("kit-plan-pairs")
        self.pair_rows.on_act(self._on_result_act)
        self.questions_heading = html("")
        self.questions_note = html("")
        self.question_rows = RowList()
        self.question_rows.on_act(self._on_result_act)
        self.own_heading = html("")
        self.own_note = html("")
        self.own_status = html("", "kit-upload-status")

    def set_texts(self, lang: str) -> None:
        """Every text in ``lang``; the plan, the search and the filters stay as they are."""
        old = self.lang
        self.lang = lang
        if self._auto_title and self.set_id is not None:
            chosen = self.sets.get(self.set_id)
            if chosen is not None and self.plan.title == chosen.title.get(old):
                self.plan = self.plan.retitled(chosen.title.get(lang))
        self.heading.value = heading(t("splan_heading", lang))
        self.intro.value = paragraph(t("splan_intro", lang), "kit-lead")
        self.sets_heading.value = heading(t("splan_sets_heading", lang), 3)
        for plan_set in self.sets.sets:
            button = self.set_buttons[plan_set.id]
            with button.hold_sync():
                button.description = plan_set.title.get(lang)
                button.tip = plan_set.description.get(lang)
        self.sets_info.value = ph.sets_html(self.sets.sets, lang)
        self.title_box.description = t("splan_title_label", lang)
        self.title_box.placeholder = t("splan_default_title", lang)
        self.plan_rows.label = t("splan_list_label", lang)
        self.plan_rows.empty = t("splan_empty", lang)
        self.clear_button.description = t("splan_clear", lang)
        self.save_button.description = t("splan_save", lang)
        self.search_heading.value = heading(t("splan_search_heading", lang), 3)
        self.search_box.description = t("splan_search_label", lang)
        self.search_box.placeholder = t("splan_search_placeholder", lang)
        self._quiet = True
        try:
            with self.tier_choice.hold_sync():
                self.tier_choice.description = t("splan_tier_label", lang)
                self.tier_choice.options = [(t("splan_any_tier", lang), "")] + [
                    (t("tier_" + tier, lang), tier) for tier in TIERS
                ]
                self.tier_choice.value = self.tier
            self.domain_choice.description = t("klass_domain_label", lang)
            self._fill_domains()
            with self.process_choice.hold_sync():
                self.process_choice.description = t("splan_process_label", lang)
                self.process_choice.options = [(t("splan_any_process", lang), "")] + [
                    (process_label(p, lang), p) for p in PROCESSES
                ]
                self.process_choice.value = self.process
        finally:
            self._quiet = False
        self.result_rows.label = t("splan_results_label", lang)
        self.pairs_heading.value = heading(t("splan_pairs_heading", lang), 3)
        self.pairs_note.value = paragraph(t("splan_pairs_note", lang))
        self.pair_rows.label = t("splan_pairs_label", lang)
        self.questions_heading.value = heading(t("splan_questions_heading", lang), 3)
        self.questions_note.value = paragraph(t("splan_questions_note", lang))
        self.question_rows.label = t("splan_questions_label", lang)
        self.own_heading.value = heading(t("splan_own_heading", lang), 3)
        self.own_note.value = paragraph(t("splan_own_note", lang))
        self.own_upload.set_texts(lang)
        self.plan_upload.set_texts(lang)
        if self.save_link.value:
            self.save_link.value = ""  # its label was in the old language: save again
        self._show_plan()
        self._show_results()
        self._show_own()
        self.message.value = self._message(lang)

    def _domains(self) -> list[str]:
        return sorted({c.domain for c in self.cases() if c.domain})

    def _fill_domains(self) -> None:
        """The domain filter's options: the library's domains and an own file's."""
        domains = self._domains()
        if self.domain not in domains:
            self.domain = ""
        quiet, self._quiet = self._quiet, True
        try:
            with self.domain_choice.hold_sync():
                self.domain_choice.options = [(t("splan_any_domain", self.lang), "")] + [
                    (domain_label(d, self.lang), d) for d in domains
                ]
                self.domain_choice.value = self.domain
        finally:
            self._quiet = quiet

    # -- showing ----------------------------------------------------------------------------
    def _set_plan(
        self,
        plan: SessionPlan,
        *,
        set_id: str | None = None,
        auto_title: bool = False,
        keep_set: bool = False,
    ) -> None:
        self.plan = plan
        if set_id is not None or not keep_set:
            self.set_id = set_id
        self._auto_title = auto_title
        if self._built:
            self.save_link.value = ""
            self._show_plan()
            self._show_results()
        if self.on_change is not None:
            self.on_change()

    def _say(self, lines: Callable[[str], list[str]], *, error: bool = False) -> None:
        self._message = lambda lang: ph.message_html(lines(lang), error)
        if self._built:
            self.message.value = self._message(self.lang)

    def _show_plan(self) -> None:
        lang = self.lang
        items = self.selected()
        last = len(items) - 1
        rows = []
        for index, item in enumerate(items):
            name = ph.short_title(item, lang)
            rows.append(
                row(
                    item.id,
                    ph.item_row_html(item, lang),
                    [
                        action(
                            "up",
                            t("splan_up", lang),
                            t("splan_up_named", lang, title=name),
                            off=index == 0,
                        ),
                        action(
                            "down",
                            t("splan_down", lang),
                            t("splan_down_named", lang, title=name),
                            off=index == last,
                        ),
                        action(
                            "remove",
                            t("splan_remove", lang),
                            t("splan_remove_named", lang, title=name),
                        ),
                    ],
                )
            )
        with self.plan_rows.hold_sync():
            self.plan_rows.rows = rows
        self.plan_heading.value = heading(t("splan_list_heading", lang), 3)
        self.count.value = paragraph(ph.count_text(items, lang)) if items else ""
        self._quiet = True
        try:
            self.title_box.value = self.plan.title
        finally:
            self._quiet = False
        self.clear_button.disabled = not items
        self.save_button.disabled = not items
        for set_id, button in self.set_buttons.items():
            button.pressed = set_id == self.set_id

    def _add_action(self, item: Item, lang: str, planned: tuple[Item, ...]) -> dict:
        """The add button of a listed item, off when it (or a case of it) is in ``planned``."""
        name = ph.short_title(item, lang)
        if item.id in self.plan or overlaps(item, planned):
            return action(
                "add",
                t("splan_in_plan", lang),
                t("splan_in_plan_named", lang, title=name),
                off=True,
            )
        return action("add", t("splan_add", lang), t("splan_add_named", lang, title=name))

    def _show_results(self) -> None:
        lang = self.lang
        found = self.results()
        shown = found[:SHOWN_RESULTS]
        planned = self.selected()
        with self.result_rows.hold_sync():
            self.result_rows.rows = [
                row(c.id, ph.case_row_html(c, lang), [self._add_action(c, lang, planned)])
                for c in shown
            ]
            self.result_rows.empty = ""
        self.results_count.value = paragraph(ph.results_text(len(found), len(shown), lang))
        missing = sum(c.id not in self.plan for c in found)
        self.add_all_button.description = t("splan_add_all", lang, n=missing)
        self.add_all_button.disabled = missing == 0
        pairs = self.pair_results()[:SHOWN_RESULTS]
        with self.pair_rows.hold_sync():
            self.pair_rows.rows = [
                row(p.id, ph.pair_row_html(p, lang), [self._add_action(p, lang, planned)])
                for p in pairs
            ]
            self.pair_rows.empty = t("splan_pairs_none", lang)
        self.question_rows.rows = [
            row(q.id, ph.question_row_html(q, lang), [self._add_action(q, lang, planned)])
            for q in self.questions
        ]

    def _show_own(self) -> None:
        if not self._built:
            return
        report = self.own_report
        if report is None:
            self.own_status.value = paragraph(t("splan_own_none", self.lang))
            return
        self.own_status.value = upload_status_html(
            report.ok,
            self.own_name,
            len(report.cases),
            () if report.ok else report.lines(self.lang),
            len(report.problems),
            self.lang,
        )

    # -- events -----------------------------------------------------------------------------
    def _on_plan_act(self, key: str, action_id: str) -> None:
        ids = [i.id for i in self.selected()]
        if key not in ids:
            return
        index = ids.index(key)
        if action_id == "up":
            self.move(index, -1)
        elif action_id == "down":
            self.move(index, 1)
        elif action_id == "remove":
            self.remove(index)

    def _on_set_button(self, set_id: str, _button: object) -> None:
        self.choose_set(set_id)

    def _on_result_act(self, key: str, action_id: str) -> None:
        if action_id == "add":
            self.add(key)

    def _on_filter(self, _change: dict) -> None:
        if self._quiet:
            return
        self.query = self.search_box.value or ""
        self.tier = self.tier_choice.value or ""
        self.domain = self.domain_choice.value or ""
        self.process = self.process_choice.value or ""
        self._show_results()

    def _on_title(self, change: dict) -> None:
        if self._quiet:
            return
        self.plan = self.plan.retitled(" ".join(str(change["new"]).split())[:200])
        self._auto_title = False
        self.save_link.value = ""
