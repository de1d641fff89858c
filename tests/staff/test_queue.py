"""The queue: order, filters, search, and the new/overdue counts."""

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from staff.escalations.queue import OverdueThresholds, QueueFilters, headline_counts, is_overdue, queue


def ids(rows):
    return [row.pk for row in rows]


def test_urgent_first_then_oldest(make_escalation):
    now = datetime.now(UTC)
    old_normal = make_escalation(created_at=now - timedelta(hours=5))
    new_normal = make_escalation(created_at=now - timedelta(hours=1))
    new_crisis = make_escalation(reason="crisis", created_at=now - timedelta(minutes=2))
    old_crisis = make_escalation(reason="crisis", created_at=now - timedelta(minutes=30))
    assert ids(queue(QueueFilters())) == [old_crisis.pk, new_crisis.pk, old_normal.pk, new_normal.pk]


def test_the_queue_page_lists_in_that_order(staff_client, make_escalation):
    now = datetime.now(UTC)
    make_escalation(first_name="Older", created_at=now - timedelta(hours=3))
    make_escalation(first_name="Crisis", reason="crisis", created_at=now - timedelta(minutes=1))
    html = staff_client.get(reverse("queue")).content.decode()
    assert html.index("Crisis") < html.index("Older")


def test_filters_by_status_reason_channel_clinic_and_date(make_escalation):
    now = datetime.now(UTC)
    resolved = make_escalation(status="resolved", outcome="called_back")
    sms = make_escalation(channel="sms", reason="appointment", clinic="irvine")
    old = make_escalation(created_at=now - timedelta(days=10))
    web = make_escalation()
    assert resolved.pk not in ids(queue(QueueFilters()))
    assert ids(queue(QueueFilters(status="resolved"))) == [resolved.pk]
    assert ids(queue(QueueFilters(reason="appointment"))) == [sms.pk]
    assert ids(queue(QueueFilters(channel="sms"))) == [sms.pk]
    assert ids(queue(QueueFilters(clinic="irvine"))) == [sms.pk]
    recent = QueueFilters(since=(now - timedelta(days=2)).date(), status="all")
    assert old.pk not in ids(queue(recent)) and web.pk in ids(queue(recent))
    assert ids(queue(QueueFilters(until=(now - timedelta(days=9)).date()))) == [old.pk]


def test_search_by_name_phone_email_and_conversation_id(make_escalation):
    maria = make_escalation(first_name="Maria", contact_phone="+19495550142", contact_email="maria@example.org")
    jon = make_escalation(first_name="Jon", contact_phone="+17145550100", contact_email="jon@example.org")
    for term, expected in [
        ("mari", maria),
        ("(949) 555-0142", maria),
        ("JON@example", jon),
        (jon.conversation_id[-8:], jon),
    ]:
        assert ids(queue(QueueFilters(search=term))) == [expected.pk], term


def test_search_from_the_posted_form(staff_client, make_escalation):
    make_escalation(first_name="Maria")
    make_escalation(first_name="Jon", contact_phone="+17145550100", contact_email="jon@example.org")
    response = staff_client.post(reverse("queue"), {"q": "714 555 0100", "filters": "status=all"}, follow=True)
    html = response.content.decode()
    assert "Jon" in html and "Maria" not in html
    # The words stay in the session; the URL carries the filters only.
    assert response.redirect_chain == [(reverse("queue") + "?status=all", 302)]


def test_bad_filter_values_are_reported_not_crashed(staff_client, make_escalation):
    make_escalation(first_name="Maria")
    response = staff_client.get(reverse("queue"), {"status": "bogus", "reason": "x", "since": "yesterday"})
    html = response.content.decode()
    assert response.status_code == 200 and "Maria" in html
    assert "Unknown status" in html and "not a date" in html


def test_overdue_means_no_staff_action_within_the_threshold(make_escalation):
    now = datetime.now(UTC)
    thresholds = OverdueThresholds(urgent=timedelta(minutes=15), normal=timedelta(hours=4))
    waiting_crisis = make_escalation(reason="crisis", created_at=now - timedelta(minutes=20))
    fresh_crisis = make_escalation(reason="crisis", created_at=now - timedelta(minutes=5))
    handled_crisis = make_escalation(reason="crisis", created_at=now - timedelta(minutes=20), first_action_at=now)
    waiting_normal = make_escalation(created_at=now - timedelta(hours=5))
    fresh_normal = make_escalation(created_at=now - timedelta(hours=1))
    assert is_overdue(waiting_crisis, now, thresholds) and is_overdue(waiting_normal, now, thresholds)
    assert not any(is_overdue(e, now, thresholds) for e in (fresh_crisis, handled_crisis, fresh_normal))
    assert headline_counts(now, thresholds) == {"new": 5, "overdue": 2}


def test_thresholds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("STAFF_OVERDUE_URGENT_MINUTES", "5")
    monkeypatch.setenv("STAFF_OVERDUE_MINUTES", "60")
    assert OverdueThresholds.from_env() == OverdueThresholds(timedelta(minutes=5), timedelta(minutes=60))


def test_counts_shown_on_top_of_the_queue(staff_client, make_escalation, monkeypatch):
    monkeypatch.setenv("STAFF_OVERDUE_URGENT_MINUTES", "10")
    now = datetime.now(UTC)
    make_escalation(reason="crisis", created_at=now - timedelta(minutes=11))
    make_escalation(created_at=now - timedelta(minutes=11))
    html = staff_client.get(reverse("queue")).content.decode()
    assert '<span class="number" id="count-new">2</span>' in html
    assert '<span class="number" id="count-overdue">1</span>' in html
