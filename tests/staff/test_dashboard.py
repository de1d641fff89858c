"""Dashboard statistics and charts: escalation tables, and Rasa's real tracker store."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from staff.escalations import charts
from staff.escalations.stats import conversation_stats, escalations_per_day, median_time_to_first_action


def test_escalations_per_day_by_reason_in_pacific_days(make_escalation):
    # 06:30 UTC is still the previous day in California (PDT, UTC-7).
    day = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
    make_escalation(reason="crisis", created_at=day)
    make_escalation(reason="crisis", created_at=day + timedelta(hours=1))
    make_escalation(reason="appointment", created_at=day + timedelta(hours=2))
    days = [datetime(2026, 3, 9).date(), datetime(2026, 3, 10).date()]
    counts = escalations_per_day(days)
    assert counts[days[0]] == {"crisis": 1}
    assert counts[days[1]] == {"crisis": 1, "appointment": 1}


def test_median_time_to_first_staff_action(make_escalation):
    now = datetime.now(UTC)
    for minutes in (4, 10, 30):
        make_escalation(
            created_at=now - timedelta(hours=1), first_action_at=now - timedelta(hours=1) + timedelta(minutes=minutes)
        )
    make_escalation(created_at=now - timedelta(hours=1))  # not acted on: not counted
    median, measured = median_time_to_first_action(now - timedelta(days=1))
    assert median == timedelta(minutes=10) and measured == 3


def test_faq_topics_and_fallback_rate_from_the_tracker_store(assistant, rest):
    # The store Rasa writes to: SQLite embedded, PostgreSQL in production mode.
    embedded = Path(assistant["env"]["CLINIC_VAR_DIR"]) / "tracker.db"
    url = assistant["env"].get("TRACKER_DATABASE_URL") or f"sqlite:///{embedded}"
    since = datetime.now(UTC) - timedelta(minutes=1)
    before = conversation_stats(since, url)
    sender = f"dash-{uuid.uuid4().hex}"
    # Messages the NLU cannot place, chosen through the parse API: which nonsense words fall back
    # (rather than read as noise or out of scope) depends on the trained model.
    candidates = ["zorp blat", "wibble wobble", "blorp", "fnord", "qwfp", "xyzzy plugh", "glorb snee", "plim"]
    unclear = [text for text in candidates if rest.parse(text)["intent"]["name"] == "nlu_fallback"][:3]
    assert unclear, "no candidate falls back with this model: add others"
    for text in ["how fast does ketamine work?", "how quickly does ketamine start working", *unclear]:
        rest.say(sender, text)
    after = conversation_stats(since, url)
    assert after.user_messages - before.user_messages == 2 + len(unclear)
    assert after.fallbacks - before.fallbacks == len(unclear)
    topics_before, topics_after = dict(before.top_topics), dict(after.top_topics)
    assert topics_after["how fast ketamine works"] - topics_before.get("how fast ketamine works", 0) == 2
    assert 0 < after.fallback_rate < 1


def test_an_unreadable_tracker_store_gives_none(tmp_path):
    assert conversation_stats(datetime.now(UTC), f"sqlite:///file:{tmp_path / 'missing.db'}?mode=ro&uri=true") is None
    assert not (tmp_path / "missing.db").exists()


def test_stacked_chart_heights_follow_the_counts_and_labels_are_escaped():
    svg = charts.stacked_columns(
        "c", "Per day", [("03/09", {"a": 2}), ("<b>", {"a": 1, "b": 1})], [("a", "A & co", "#111"), ("b", "B", "#222")]
    )
    heights = [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)]
    assert heights[0] == heights[1] + heights[2] and heights[1] == heights[2]
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; co" in svg


def test_horizontal_bars_scale_to_the_largest():
    svg = charts.horizontal_bars("t", "Topics", [("cost", 10), ("side effects", 5)])
    widths = [float(w) for w in re.findall(r'<rect x="260" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]


def test_dashboard_page(staff_client, make_escalation, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///file:{tmp_path / 'none.db'}?mode=ro&uri=true")
    now = timezone.now()
    make_escalation(
        reason="crisis", created_at=now - timedelta(minutes=30), first_action_at=now - timedelta(minutes=24)
    )
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert "<svg" in html and "Escalations per day by reason" in html
    assert '<p class="big" id="median">6.0 min</p>' in html
    assert "cannot be read" in html  # the tracker store is missing: said, not a 500
