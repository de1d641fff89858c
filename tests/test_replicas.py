"""Production scale-out: two Rasa replicas behind nginx (deploy/nginx.conf) sharing the PostgreSQL
tracker store and the Redis lock store; and Sanic workers within one Rasa server."""

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from clinic.nginx_conf import render
from harness.servers import ProductionStores, free_port, running_assistant
from tests.conftest import PRODUCTION_TEST_ENV, RestClient
from tests.prod_services import running_nginx
from tests.test_webchat_channel import Visitor

WORKERS = 2  # Sanic workers in test_sanic_workers_share_the_stores
QUESTIONS = [
    "what is fibromyalgia",
    "how does ketamine work for pain",
    "where are your clinics",
    "is ketamine safe",
    "thanks, bye",
]


@pytest.fixture(scope="module")
def stores(postgres, redis_server) -> ProductionStores:
    return ProductionStores(
        tracker_url=postgres.create_database("replicas_tracker"),
        escalations_url=postgres.create_database("replicas_escalations"),
        redis_port=redis_server.port,
        redis_password=redis_server.password,
    )


@pytest.fixture(scope="module")
def cluster(stores, tmp_path_factory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("replicas")
    with running_assistant(workdir, PRODUCTION_TEST_ENV, production=stores, replicas=2) as servers:
        port = free_port()
        upstreams = [base.removeprefix("http://") for base in servers["replicas"]]
        config = render(f"127.0.0.1:{port}", upstreams, workdir / "nginx")
        with running_nginx(config, port, workdir / "nginx"):
            yield servers | {"proxy": f"http://127.0.0.1:{port}", "workdir": workdir}


def user_turns_are_whole(events: list[dict]) -> bool:
    """Every user message after the first was read only after the previous turn finished."""
    for index, event in enumerate(events):
        if event["event"] == "user" and any(e["event"] == "user" for e in events[:index]):
            previous = events[index - 1]
            if previous["event"] != "action" or previous["name"] != "action_listen":
                return False
    return True


def test_interleaved_messages_to_both_replicas_keep_every_history_complete_and_in_order(cluster):
    replicas = [RestClient(base, cluster["token"], cluster["rest_token"]) for base in cluster["replicas"]]
    conversations = [f"replica-{uuid.uuid4().hex}" for _ in range(6)]
    failures: list[str] = []

    def converse(number: int, conversation_id: str) -> None:
        for turn, question in enumerate(QUESTIONS):
            # Alternate replicas within a conversation; neighbours start on different ones.
            response = replicas[(number + turn) % 2].send(conversation_id, question)
            if response.status_code != 200 or not response.json():
                failures.append(f"{conversation_id} turn {turn}: {response.status_code}")

    threads = [threading.Thread(target=converse, args=pair) for pair in enumerate(conversations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures
    for conversation_id in conversations:
        for replica in replicas:
            events = replica.tracker(conversation_id)["events"]
            assert [e["text"] for e in events if e["event"] == "user"] == QUESTIONS
            assert user_turns_are_whole(events)


def test_simultaneous_messages_of_one_conversation_are_taken_one_at_a_time(cluster):
    replicas = [RestClient(base, cluster["token"], cluster["rest_token"]) for base in cluster["replicas"]]
    conversation_id = f"replica-{uuid.uuid4().hex}"
    replicas[0].say(conversation_id, "hello")
    barrier = threading.Barrier(4)
    sent = [f"question {n}: what is fibromyalgia" for n in range(4)]
    statuses: list[int] = []

    def send(number: int) -> None:
        barrier.wait()
        statuses.append(replicas[number % 2].send(conversation_id, sent[number]).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert statuses == [200] * 4
    events = replicas[1].tracker(conversation_id)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts[0] == "hello" and sorted(user_texts[1:]) == sorted(sent)
    assert user_turns_are_whole(events)


def test_rest_through_nginx_reaches_both_replicas(cluster):
    proxy = RestClient(cluster["proxy"], cluster["token"], cluster["rest_token"])
    conversation_id = f"replica-{uuid.uuid4().hex}"
    for question in QUESTIONS:
        assert proxy.say(conversation_id, question)
    assert [e["text"] for e in proxy.tracker(conversation_id)["events"] if e["event"] == "user"] == QUESTIONS
    logs = [Path(cluster["workdir"], name).read_text(encoding="utf-8") for name in ("rasa.log", "rasa-1.log")]
    assert all(conversation_id in log for log in logs), "round robin should use both replicas"


def wait_for_answer_about(visitor: Visitor, word: str) -> None:
    """Polling works only while every request of the session reaches the replica that opened it."""
    while word not in json.dumps(visitor.wait("bot_uttered", timeout=60)).lower():
        pass


def test_website_chat_through_nginx_stays_on_one_replica(cluster):
    visitor = Visitor(cluster["proxy"])
    try:
        visitor.say("what is fibromyalgia")
        wait_for_answer_about(visitor, "fibromyalgia")
        visitor.say("where are your clinics")
        wait_for_answer_about(visitor, "irvine")
        conversation_id = visitor.token.split(".")[0]
    finally:
        visitor.close()
    for base in cluster["replicas"]:
        tracker = requests.get(
            f"{base}/conversations/{conversation_id}/tracker", params={"token": cluster["token"]}, timeout=30
        ).json()
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
            "what is fibromyalgia",
            "where are your clinics",
        ]


def model_loading_processes(log_path: str) -> set[int]:
    """Pids that loaded the model: one per Sanic worker."""
    entries = [json.loads(line) for line in Path(log_path).read_text(encoding="utf-8").splitlines()]
    return {entry["pid"] for entry in entries if entry["message"].startswith("Loading model")}


def child_processes(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def test_sanic_workers_share_the_stores(stores, tmp_path):
    env = PRODUCTION_TEST_ENV | {"SANIC_WORKERS": str(WORKERS), "ACTION_SERVER_SANIC_WORKERS": str(WORKERS)}
    with running_assistant(tmp_path, env, production=stores) as servers:
        rest = RestClient(servers["rasa"], servers["token"], servers["rest_token"])
        conversations = [f"workers-{uuid.uuid4().hex}" for _ in range(6)]
        statuses: list[int] = []

        def converse(conversation_id: str) -> None:
            statuses.extend(rest.send(conversation_id, question).status_code for question in QUESTIONS[:3])

        threads = [threading.Thread(target=converse, args=(c,)) for c in conversations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert statuses == [200] * len(conversations) * 3
        for conversation_id in conversations:
            events = rest.tracker(conversation_id)["events"]
            assert [e["text"] for e in events if e["event"] == "user"] == QUESTIONS[:3]
        assert len(model_loading_processes(servers["rasa_log"])) == WORKERS
        assert len(child_processes(servers["actions_pid"])) == WORKERS
