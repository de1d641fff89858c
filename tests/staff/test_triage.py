"""The triage queue: previews, waiting times, SLA timers, link texts, URL filters, presets, pages, search."""

import logging
from datetime import UTC, datetime, timedelta

from django.urls import reverse

from staff.escalations.queue import OverdueThresholds, QueueFilters, queue, sla


def rows_of(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_a_row_shows_preview_waiting_time_language_channel_and_assignee(
    staff_client, staff_user, make_escalation, tracker_store
):
    now = datetime.now(UTC)
    escalation = make_escalation(language="es", assigned_to=staff_user, status="in_progress")
    # The visitor wrote again after the escalation: the tracker's last message is the preview.
    said_at = (now - timedelta(minutes=12)).timestamp()
    tracker_store.add(
        escalation.conversation_id,
        tracker_store.user("hola", "greet", at=said_at - 60),
        tracker_store.user("¿me pueden llamar hoy?", "request_human", at=said_at),
    )
    row = rows_of(staff_client.get(reverse("queue")).content.decode())
    assert "¿me pueden llamar hoy?" in row and "12 min" in row
    assert ">es<" in row and "Web chat" in row and "nurse.kim" in row


def test_without_the_tracker_the_preview_comes_from_the_snapshot(staff_client, make_escalation):
    make_escalation(triggering_message="can I talk to someone please")
    row = rows_of(staff_client.get(reverse("queue")).content.decode())
    assert "can I talk to someone please" in row and "6 min" in row


def test_sla_timer_is_green_then_amber_then_red_and_answered_once_acted_on(make_escalation):
    now = datetime.now(UTC)
    thresholds = OverdueThresholds(urgent=timedelta(minutes=15), normal=timedelta(minutes=240))
    fresh = make_escalation(reason="crisis", created_at=now - timedelta(minutes=2))
    halfway = make_escalation(reason="crisis", created_at=now - timedelta(minutes=10))
    late = make_escalation(reason="crisis", created_at=now - timedelta(minutes=20))
    acted = make_escalation(reason="crisis", created_at=now - timedelta(minutes=20), first_action_at=now)
    assert [sla(e, now, thresholds).state for e in (fresh, halfway, late, acted)] == ["ok", "amber", "red", "met"]
    assert sla(late, now, thresholds).label == "5 min over"
    assert sla(fresh, now, thresholds).label == "13 min left"


def test_the_page_colours_the_sla_timer(staff_client, make_escalation):
    make_escalation(reason="crisis", created_at=datetime.now(UTC) - timedelta(minutes=20))
    assert '<span class="sla red">5 min over</span>' in staff_client.get(reverse("queue")).content.decode()


def test_link_text_is_the_name_or_reason_channel_and_age_never_the_date(staff_client, make_escalation):
    now = datetime.now(UTC)
    named = make_escalation(first_name="Maria")
    crisis = make_escalation(first_name="", reason="crisis", created_at=now - timedelta(minutes=4))
    html = staff_client.get(reverse("queue")).content.decode()
    assert f'href="/escalations/{named.pk}/">Maria</a>' in html
    assert f'href="/escalations/{crisis.pk}/">Crisis: suicide — Web chat — 4 min</a>' in html
    assert "(no name)" not in html


def test_filters_travel_in_the_url_and_the_presets_select_them(staff_client, staff_user, admin_user, make_escalation):
    now = datetime.now(UTC)
    urgent = make_escalation(first_name="Urgent", reason="crisis")
    mine = make_escalation(first_name="Mine", assigned_to=staff_user, status="in_progress")
    theirs = make_escalation(first_name="Theirs", assigned_to=admin_user, status="in_progress")
    overdue = make_escalation(first_name="Late", created_at=now - timedelta(hours=6))
    spanish = make_escalation(first_name="Lucia", language="es")
    expected = {
        "priority=urgent": {urgent},
        "assignee=me": {mine},
        "assignee=none": {urgent, overdue, spanish},
        "overdue=1": {overdue},
        "language=es": {spanish},
        "assignee=lead.ana": {theirs},
    }
    everyone = {urgent, mine, theirs, overdue, spanish}
    for query, wanted in expected.items():
        html = rows_of(staff_client.get(f"{reverse('queue')}?{query}").content.decode())
        assert {e for e in everyone if f">{e.first_name}</a>" in html} == wanted, query
    page = staff_client.get(reverse("queue"), {"overdue": "1"}).content.decode()
    assert '<a href="/?overdue=1" aria-current="page">Overdue</a>' in page
    for label, query in [("Urgent", "priority=urgent"), ("Mine", "assignee=me"), ("Spanish", "language=es")]:
        assert f'<a href="/?{query}">{label}</a>' in page


def test_unknown_priority_and_language_are_reported(staff_client, make_escalation):
    html = staff_client.get(reverse("queue"), {"priority": "x", "language": "fr"}).content.decode()
    assert "Unknown priority" in html and "Unknown language" in html


def test_pagination_keeps_the_filters(staff_client, make_escalation):
    now = datetime.now(UTC)
    for index in range(55):
        make_escalation(first_name=f"P{index:02d}", created_at=now - timedelta(minutes=200 - index))
    first = staff_client.get(reverse("queue"), {"reason": "request_human"}).content.decode()
    assert "P00" in first and "P49" in first and "P50" not in first and "page 1 of 2" in first
    assert 'href="?reason=request_human&amp;page=2"' in first
    second = staff_client.get(reverse("queue"), {"reason": "request_human", "page": "2"}).content.decode()
    assert "P50" in second and "P54" in second and "P49<" not in second


def test_search_finds_what_was_said_in_the_trigger_and_the_transcript(make_escalation):
    cymbalta = make_escalation(triggering_message="Can I take Cymbalta with ketamine?")
    transcript = make_escalation(
        transcript=[{"role": "user", "text": "tengo mucho dolor en la espalda", "at": datetime.now(UTC).isoformat()}]
    )
    make_escalation(triggering_message="where is the Irvine clinic")
    assert [e.pk for e in queue(QueueFilters(search="cymbalta"))] == [cymbalta.pk]
    assert [e.pk for e in queue(QueueFilters(search="DOLOR espalda"))] == [transcript.pk]
    # Accents do not matter either way.
    assert [e.pk for e in queue(QueueFilters(search="dólor"))] == [transcript.pk]
    assert list(queue(QueueFilters(search="cymbalta dolor"))) == []


def test_search_words_stay_out_of_urls_and_logs(staff_client, make_escalation, caplog):
    make_escalation(first_name="Ana", triggering_message="my cymbalta dose")
    make_escalation(first_name="Bea")
    with caplog.at_level(logging.DEBUG):
        response = staff_client.post(
            reverse("queue"), {"q": "cymbalta", "filters": "reason=request_human"}, follow=True
        )
    assert response.redirect_chain == [("/?reason=request_human", 302)]
    html = response.content.decode()
    assert ">Ana</a>" in html and ">Bea</a>" not in html
    assert "cymbalta" not in "".join(url for url, _ in response.redirect_chain)
    assert "cymbalta" not in caplog.text
    # The search is kept while filtering, until cleared.
    assert ">Bea</a>" not in staff_client.get(reverse("queue")).content.decode()
    cleared = staff_client.post(reverse("queue"), {"q": "cymbalta", "clear": "1"}, follow=True).content.decode()
    assert ">Bea</a>" in cleared


def test_keyboard_shortcuts_are_a_static_script(staff_client, make_escalation):
    make_escalation()
    html = staff_client.get(reverse("queue")).content.decode()
    assert '<script src="/static/escalations/console.js" defer></script>' in html
    assert 'class="row-link"' in html and 'id="bulk-form"' in html and "<kbd>j</kbd>" in html
