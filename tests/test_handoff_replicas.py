"""Staff mode across replicas (production mode): two Rasa replicas behind nginx on PostgreSQL and
Redis. The visitor's socket lives on one replica; the console may reach either. python-socketio's
Redis manager carries staff messages, presence checks and their acknowledgements between them,
and the pause and resume are in the shared tracker."""

from collections.abc import Iterator

import pytest

from clinic import staff_mode
from clinic.nginx_conf import render
from clinic.rasa_api import RasaApi
from clinic.staff_mode import StaffMember
from harness.servers import ProductionStores, free_port, running_assistant
from tests.conftest import PRODUCTION_TEST_ENV
from tests.prod_services import running_nginx
from tests.webchat_tab import Tab

KIM = StaffMember("Kim", "nurse")


@pytest.fixture(scope="module")
def cluster(postgres, redis_server, tmp_path_factory) -> Iterator[dict]:
    stores = ProductionStores(
        tracker_url=postgres.create_database("handoff_replicas_tracker"),
        escalations_url=postgres.create_database("handoff_replicas_escalations"),
        redis_port=redis_server.port,
        redis_password=redis_server.password,
    )
    workdir = tmp_path_factory.mktemp("handoff-replicas")
    with running_assistant(workdir, PRODUCTION_TEST_ENV, production=stores, replicas=2) as servers:
        port = free_port()
        upstreams = [base.removeprefix("http://") for base in servers["replicas"]]
        with running_nginx(render(f"127.0.0.1:{port}", upstreams, workdir / "nginx"), port, workdir / "nginx"):
            yield servers | {"proxy": f"http://127.0.0.1:{port}"}


@pytest.fixture
def tab(cluster):
    opened = Tab(cluster["proxy"])  # through nginx: its socket is on one replica, whichever
    yield opened
    opened.close()


def test_staff_messages_and_presence_reach_the_visitor_from_either_replica(cluster, tab):
    tab.say("hello")
    tab.wait("bot_uttered")
    tab.settle()
    for index, base in enumerate(cluster["replicas"]):
        api = RasaApi(base, cluster["token"])
        assert api.web_presence(tab.conversation_id) == {"connected": True, "panel_open": True}
        assert api.deliver_to_web_visitor(tab.conversation_id, f"Message {index} from Kim", staff=KIM) == "shown"
        message = tab.wait("bot_uttered")
        assert (message["text"], message["staff_name"], message["staff_role"]) == (
            f"Message {index} from Kim",
            "Kim",
            "nurse",
        )
    tab.panel_open = False
    assert RasaApi(cluster["replicas"][1], cluster["token"]).web_presence(tab.conversation_id)["panel_open"] is False


def test_pause_and_resume_hold_on_every_replica(cluster, tab):
    tab.say("hello")
    tab.wait("bot_uttered")
    tab.settle()
    first, second = (RasaApi(base, cluster["token"]) for base in cluster["replicas"])
    joined = staff_mode.notice_text(staff_mode.JOINED, "en", "socketio", KIM, "the clinic")
    first.append_events(
        tab.conversation_id, [{"event": "pause"}, staff_mode.notice_event(joined, staff_mode.JOINED, KIM)]
    )
    assert second.deliver_to_web_visitor(tab.conversation_id, joined, staff=KIM, notice=staff_mode.JOINED) == "shown"
    assert tab.wait("bot_uttered")["notice"] == staff_mode.JOINED
    # Paused through one replica, resumed through the other: the tracker they share decides.
    tab.say("are you still there?")
    assert tab.received() == []
    back = staff_mode.notice_text(staff_mode.RETURNED, "en", "socketio", KIM, "the clinic")
    second.append_events(
        tab.conversation_id, [{"event": "resume"}, staff_mode.notice_event(back, staff_mode.RETURNED, KIM)]
    )
    assert first.deliver_to_web_visitor(tab.conversation_id, back, staff=KIM, notice=staff_mode.RETURNED) == "shown"
    assert tab.wait("bot_uttered")["notice"] == staff_mode.RETURNED
    tab.say("what is fibromyalgia")
    assert "fibromyalgia" in tab.wait("bot_uttered")["text"].lower()
