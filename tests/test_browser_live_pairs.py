"""A contrast pair sent by the presenter to two phones, in Chromium: the plan builder adds the
pair, the phones (375 px, one by keyboard) answer both cases, the presenter reveals it, and the
phones and the big screen show both keys and what differs; axe clean on every page.

Participants use the light page (``/delta``, no kernel); every request outside the local
server is aborted and counted.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kit.cases.casefile import load_cases
from kit.cases.pairs import find_pairs
from kit.core.i18n import t
from kit.live.store import Store
from kit.model.labels import level_label, process_label

from .conftest import PageWatch
from .test_browser_live import clean, new_page, open_presenter
from .test_browser_screen import MEASURE as SCREEN_MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAIR = find_pairs(load_cases())[0]


def send_pair(phone: PageWatch, answers: list[tuple[str, str]]) -> None:
    """Choose process and level in case A and case B by their labelled groups, then send."""
    page = phone.page
    for side, (process, level) in zip("AB", answers, strict=True):
        page.get_by_role("radiogroup", name=f"Prosess i case {side}").get_by_role(
            "radio", name=process, exact=True
        ).check()
        page.get_by_role("radiogroup", name=f"Nivå i case {side}").get_by_role(
            "radio", name=level, exact=True
        ).check()
    page.get_by_role("button", name="Send begge svarene").click()
    expect(page.locator("#kit-sent")).to_be_focused(timeout=5_000)


def send_pair_by_keyboard(phone: PageWatch, answers: list[tuple[str, str]]) -> None:
    """The same by keyboard: each answer card is reached and chosen with Space, the send button
    pressed with Enter."""
    page = phone.page
    for side, (process, level) in zip("AB", answers, strict=True):
        for group, option in ((f"Prosess i case {side}", process), (f"Nivå i case {side}", level)):
            radio = page.get_by_role("radiogroup", name=group).get_by_role(
                "radio", name=option, exact=True
            )
            radio.focus()
            page.keyboard.press("Space")
            expect(radio).to_be_checked()
    page.get_by_role("button", name="Send begge svarene").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#kit-sent")).to_be_focused(timeout=5_000)


def key_of(case) -> tuple[str, str]:
    return process_label(case.process, "nb"), level_label(case.level, "nb")


def test_a_pair_sent_to_two_phones_and_revealed(browser, server):
    pages: list[PageWatch] = []
    try:
        page = open_presenter(browser, server, pages).page
        # the plan builder lists the pairs; one click adds one as one item of the plan
        add = page.get_by_role("button", name=f"Legg til: {PAIR.title('nb')}")
        add.scroll_into_view_if_needed()
        add.click()
        plan = page.locator(".kit-plan-list")
        expect(plan).to_contain_text("Kontrastpar", timeout=10_000)
        expect(page.locator(".kit-plan-count")).to_contain_text("kontrastpar: 1")
        page.get_by_role("button", name="Start økt").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        with Store(server.db_url) as store:
            assert [i.id for i in store.session_items(code)] == [PAIR.id]

        # the big screen, in the presenter's browser (the key is kept there)
        big = PageWatch(page.context.new_page(), server)
        pages.append(big)
        big.page.set_viewport_size({"width": 1920, "height": 1080})
        big.page.goto(page.locator(".kit-screen-link a").get_attribute("href"))
        expect(big.page.locator(".kit-screen-start .kit-screen-code")).to_have_text(code)

        phones = [new_page(browser, server, 375, 740) for _ in range(2)]
        pages.extend(phones)
        for phone in phones:
            phone.page.goto(f"{server.url}delta?kode={code}&lang=nb")
            expect(phone.page.locator("#kit-room")).to_be_visible(timeout=15_000)

        # the presenter sends the pair to the phones from a card of one of its cases
        heading = page.locator("h3", has_text=PAIR.second.title.nb)
        card = page.locator(".kit-live-case").filter(has=heading)
        expect(card).to_contain_text(t("live_pair_with", "nb", title=PAIR.first.title.nb))
        card.get_by_role("button", name="Vis på telefonene").click()
        for phone in phones:
            title = phone.page.locator("#kit-case-title")
            expect(title).to_contain_text("Kontrastpar 1 av 1", timeout=5_000)
            for side, case in zip("AB", PAIR.cases, strict=True):
                heading = t("pair_case", "nb", side=side, title=case.title.nb)
                expect(phone.page.locator(".kit-pair-case h3", has_text=heading)).to_be_visible()
        expect(big.page.locator(".kit-screen-pair")).to_be_visible(timeout=10_000)
        expect(big.page.locator(".kit-screen-pair-case")).to_have_count(2)

        # a phone that chooses only one case is told to choose both
        first = phones[0].page
        first.get_by_role("radiogroup", name="Prosess i case A").get_by_role("radio").first.check()
        first.get_by_role("button", name="Send begge svarene").click()
        expect(first.locator("#kit-alert")).to_have_text(t("delta_pair_choose_all", "nb"))
        # phone 1 gives both keys; phone 2 gives case A's key to both
        send_pair(phones[0], [key_of(PAIR.first), key_of(PAIR.second)])
        # phone 2 by keyboard
        send_pair_by_keyboard(phones[1], [key_of(PAIR.first), key_of(PAIR.first)])
        expect(phones[1].page.locator("#kit-sent")).to_have_text(t("delta_sent", "nb"))
        stats = page.locator(".kit-stats")
        expect(stats).to_contain_text("Svar: 4", timeout=5_000)
        with Store(server.db_url) as store:
            results = store.results(code)
            assert [results[c.id].current.answers for c in PAIR.cases] == [2, 2]
        # nothing of the keys before the reveal, on the phones or the big screen
        for watch in (*phones, big):
            assert PAIR.first.explanation.nb[:40] not in watch.page.content()
        clean(phones[0])

        # the reveal: both keys and what differs, on every phone and the big screen
        card.get_by_role("button", name="Vis fasit").click()
        difference = PAIR.difference_text("nb")
        for phone in phones:
            key = phone.page.locator("#kit-key")
            expect(key).to_contain_text("Hva skiller dem?", timeout=5_000)
            expect(key).to_contain_text(difference[:60])
            expect(key).to_contain_text(PAIR.first.explanation.nb[:40])
            expect(key).to_contain_text(PAIR.second.explanation.nb[:40])
            expect(phone.page.get_by_role("button", name="Send begge svarene")).to_be_disabled()
        right = t("delta_result", "nb", outcome=t("outcome_right", "nb"))
        wrong = t("delta_result", "nb", outcome=t("outcome_wrong", "nb"))
        expect(phones[0].page.locator("#kit-key .kit-outcome-right")).to_have_count(2)
        expect(phones[0].page.locator("#kit-key")).to_contain_text(right)
        expect(phones[1].page.locator("#kit-key .kit-outcome-right")).to_have_count(1)
        expect(phones[1].page.locator("#kit-key")).to_contain_text(wrong)
        screen = big.page.locator(".kit-screen")
        expect(screen.locator(".kit-screen-key")).to_have_count(2, timeout=10_000)
        expect(screen.locator(".kit-screen-difference")).to_contain_text(difference[:60])
        expect(screen.locator(".kit-bar-key")).to_have_count(2, timeout=10_000)
        # both keys, both cases' bars and the difference fit the projector, nothing cut
        for size in ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720}):
            big.page.set_viewport_size(size)
            big.page.wait_for_timeout(300)
            measured = big.page.evaluate(SCREEN_MEASURE)
            assert measured["clipped"] == [] and measured["outside"] == [], (size, measured)
        assert phones[0].page.evaluate(
            "Array.from(document.querySelectorAll('body *')).every(e => "
            "e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
        )
        for watch in pages:
            clean(watch)
    finally:
        for watch in pages:
            watch.page.context.close()
