"""The presenter's app: start a live session, show code and QR, watch the room answer."""

from __future__ import annotations

import base64
import csv
import io
import os
import threading
from html import escape

import ipywidgets as widgets

from .. import render
from ..casefile import load_cases
from ..cases import Case
from ..exercise import level_label
from ..i18n import t
from .base import App, html
from .caseset import CaseSetPicker

PARTICIPANT_NOTEBOOK = "delta.ipynb"


def public_base_url() -> str:
    """Where participants reach this server: ``KIT_PUBLIC_URL``, else the address in use."""
    configured = os.environ.get("KIT_PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    host = os.environ.get("SERVER_NAME", "127.0.0.1")
    port = os.environ.get("SERVER_PORT", "8866")
    script = os.environ.get("SCRIPT_NAME", "/")
    base = script.split("voila/render/")[0] if "voila/render/" in script else "/"
    return f"http://{host}:{port}{base}"


def participant_url(code: str) -> str:
    return f"{public_base_url()}voila/render/{PARTICIPANT_NOTEBOOK}?kode={code}"


def qr_svg(url: str, label: str) -> str:
    """The URL as an inline SVG QR code with an accessible name (no image files, no network)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", f"<svg role='img' aria-label='{escape(label)}' ", 1)
    return f"<div class='kit-qr'>{svg}</div>"


class Presentator(App):
    """``notebooks/05_presentator.ipynb``."""

    title_key = "app_title_presentator"

    def __init__(
        self,
        lang: str | None = None,
        cases: tuple[Case, ...] | None = None,
        store=None,
        refresh_seconds: float = 1.0,
    ) -> None:
        self._store = store
        self.picker = CaseSetPicker(cases if cases is not None else load_cases())
        self.refresh_seconds = refresh_seconds
        self.code: str | None = None
        self.cases: tuple[Case, ...] = ()
        self.closed = False
        self.revealed: set[str] = set()
        self._seen: tuple | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        super().__init__(lang)

    @property
    def store(self):
        if self._store is None:
            from ..live.store import Store

            self._store = Store()
        return self._store

    # -- building ---------------------------------------------------------------------------
    def build(self, lang: str) -> list[widgets.Widget]:
        intro = html(render.paragraph(t("live_intro", lang), "kit-lead"))
        if self.code is None:
            picker = self.picker.build(lang)
            self.start_button = widgets.Button(
                description=t("live_start", lang), button_style="primary"
            )
            self.start_message = html("")
            self.start_button.on_click(self._on_start)
            return [
                intro,
                html(render.heading(t("live_setup_heading", lang))),
                *picker,
                self.start_button,
                self.start_message,
            ]
        url = participant_url(self.code)
        self.join_panel = html(
            f"<div class='kit-join'><div><p class='kit-code-label'>{escape(t('live_code_label', lang))}</p>"
            f"<p class='kit-code'>{escape(self.code)}</p>"
            f"<p>{escape(t('live_join_at', lang, url=url))}</p>"
            f"<p><a href='{escape(url)}'>{escape(url)}</a></p></div>"
            f"{qr_svg(url, t('live_qr_alt', lang, url=url))}</div>"
        )
        self.stats = html("", "kit-stats")
        self.end_button = widgets.Button(
            description=t("live_end", lang), button_style="danger", disabled=self.closed
        )
        self.end_button.on_click(self._on_end)
        self.export_csv_button = widgets.Button(description=t("live_export_csv", lang))
        self.export_xlsx_button = widgets.Button(description=t("live_export_xlsx", lang))
        self.export_csv_button.on_click(lambda _b: self._export("csv"))
        self.export_xlsx_button.on_click(lambda _b: self._export("xlsx"))
        self.export_links = html("")
        self.case_list = widgets.VBox()
        self.case_list.add_class("kit-live-cases")
        from .. import charts
        from .charts import ChartView

        self.chart_view = ChartView(
            charts.live_chart([], lang),
            t("live_chart_desc_none", lang),
            "",
            t("klass_table_summary", lang),
        )
        self._seen = None
        self.refresh()
        exports = widgets.HBox([self.export_csv_button, self.export_xlsx_button])
        exports.add_class("kit-wrap")
        return [
            self.join_panel,
            self.stats,
            self.end_button,
            html(
                render.heading(t("live_dashboard_heading", lang))
                + render.paragraph(t("live_dashboard_note", lang))
            ),
            self.chart_view,
            self.case_list,
            html(render.heading(t("live_export_heading", lang))),
            exports,
            self.export_links,
        ]

    # -- the live part ----------------------------------------------------------------------
    def order(self, counts: dict) -> list[str]:
        """Most disputed first, then the rest in the session's order."""
        ids = [c.id for c in self.cases]
        hot = sorted(
            (i for i in ids if counts[i].dispute > 0),
            key=lambda i: (-counts[i].dispute, -counts[i].answers, ids.index(i)),
        )
        return hot + [i for i in ids if i not in hot]

    def refresh(self) -> None:
        """Read the store and redraw the dashboard (called by the poller on every change)."""
        from .. import charts

        lang = self.lang
        counts = self.store.counts(self.code)
        people = self.store.participant_count(self.code)
        total = sum(c.answers for c in counts.values())
        order = self.order(counts)
        titles = {c.id: c.title.get(lang) for c in self.cases}
        rows = charts.live_rows(counts, titles, order, lang)
        description = charts.live_description(counts, titles, order, lang)
        chart = charts.live_chart(rows, lang).properties(description=description)
        by_id = {c.id: c for c in self.cases}
        with self.hold_sync():
            ended = f" <strong>{escape(t('live_ended', lang))}</strong>" if self.closed else ""
            self.stats.value = (
                f"<p role='status'><strong>{escape(t('live_participants', lang, n=people))}</strong>"
                f" · {escape(t('live_answers', lang, n=total))} · "
                f"{escape(t('live_auto_refresh', lang))}{ended}</p>"
            )
            self.chart_view.update(chart, description, self._table(counts, order, titles))
            self.case_list.children = [
                self._case_card(by_id[i], counts[i], n + 1) for n, i in enumerate(order)
            ]

    def _table(self, counts: dict, order: list[str], titles: dict[str, str]) -> str:
        from ..model import PROCESSES

        lang = self.lang
        head = "".join(f"<th scope='col'>{escape(t('process_' + p, lang))}</th>" for p in PROCESSES)
        body = "".join(
            f"<tr><th scope='row'>{escape(titles[i])}</th>"
            + "".join(f"<td>{counts[i].processes[p]}</td>" for p in PROCESSES)
            + "</tr>"
            for i in order
        )
        return (
            "<div class='kit-table-wrap'><table class='kit-table'>"
            f"<caption>{escape(t('live_chart_title', lang))}</caption><thead><tr>"
            f"<th scope='col'>{escape(t('live_chart_case', lang))}</th>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )

    def _case_card(self, case: Case, counts, rank: int) -> widgets.VBox:
        lang = self.lang
        shown = case.id in self.revealed
        n = (
            t("live_case_answers", lang, n=counts.answers)
            if counts.answers
            else t("live_no_answers", lang)
        )
        text = (
            f"<h3>{rank}. {escape(case.title.get(lang))}</h3>"
            f"<p>{escape(case.text.get(lang))}</p><p><em>{escape(n)}</em></p>"
        )
        if shown:
            key = t(
                "live_key",
                lang,
                process=t("process_" + case.process, lang),
                level=level_label(case.level, lang),
            )
            text += (
                f"<div class='kit-feedback kit-feedback-right'><p><strong>✔ {escape(key)}"
                f"</strong></p><p>{escape(case.explanation.get(lang))}</p></div>"
            )
        parts: list[widgets.Widget] = [html(text)]
        if not shown:
            button = widgets.Button(
                description=t("live_reveal", lang),
                tooltip=t("live_reveal_case", lang, title=case.title.get(lang)),
            )
            button.on_click(lambda _b, cid=case.id: self.reveal(cid))
            parts.append(button)
        card = widgets.VBox(parts)
        card.add_class("kit-live-case")
        return card

    def reveal(self, case_id: str) -> None:
        self.store.reveal(self.code, case_id)
        self.revealed.add(case_id)
        self.refresh()

    def _poll(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            try:
                seen = (self.store.revision(self.code), self.store.participant_count(self.code))
                if seen != self._seen:
                    self._seen = seen
                    self.refresh()
            except Exception:  # noqa: BLE001 - keep polling; a busy database recovers
                continue

    def start_polling(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll, name="kit-dashboard", daemon=True)
            self._thread.start()

    def stop_polling(self) -> None:
        self._stop.set()

    # -- events -----------------------------------------------------------------------------
    def _on_start(self, _button=None) -> None:
        cases = self.picker.selected()
        if not cases:
            self.start_message.value = (
                f"<p role='alert'>{escape(t('klass_no_cases', self.lang))}</p>"
            )
            return
        self.start_session(cases)

    def start_session(self, cases: tuple[Case, ...]) -> str:
        self.cases = tuple(cases)
        self.code = self.store.create_session(self.cases, self.lang)
        self._render()
        self.start_polling()
        return self.code

    def _on_end(self, _button=None) -> None:
        self.store.close_session(self.code)
        self.closed = True
        self.end_button.disabled = True
        self.refresh()

    def _export(self, kind: str) -> None:
        lang = self.lang
        titles = {c.id: c.title.get(lang) for c in self.cases}
        header = [
            t("csv_case_id", lang),
            t("csv_title", lang),
            t("csv_your_process", lang),
            t("csv_your_level", lang),
            t("live_export_time", lang),
            t("live_export_participant", lang),
        ]
        rows = [
            [
                a.case_id,
                titles.get(a.case_id, a.case_id),
                t("process_" + a.process, lang),
                level_label(a.level, lang),
                a.answered_at.strftime("%Y-%m-%d %H:%M:%S"),
                a.participant,
            ]
            for a in self.store.answers(self.code)
        ]
        name = t("live_export_file", lang, code=self.code)
        if kind == "csv":
            out = io.StringIO()
            csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
            data = ("\ufeff" + out.getvalue()).encode("utf-8")
            mime, label, ext = "text/csv", t("live_export_csv", lang), "csv"
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            for row in [header, *rows]:
                sheet.append(row)
            buffer = io.BytesIO()
            book.save(buffer)
            data = buffer.getvalue()
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            label, ext = t("live_export_xlsx", lang), "xlsx"
        payload = base64.b64encode(data).decode("ascii")
        self.export_links.value = (
            f"<p><a class='kit-download' download='{escape(name)}.{ext}' "
            f"href='data:{mime};base64,{payload}'>⬇ {escape(label)}</a></p>"
        )
