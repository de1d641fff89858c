"""The Redis lock store under contention from several processes' worth of connections."""

import threading

import pytest
from rasa.utils.endpoints import EndpointConfig

from clinic.lock_store import AtomicRedisLockStore

CONTENDERS = 8


@pytest.fixture
def stores(redis_server):
    config = EndpointConfig(
        url="127.0.0.1", port=redis_server.port, password=redis_server.password, db=3, key_prefix="test"
    )
    # One store (one connection pool) per contender, as in separate replicas or workers.
    return [AtomicRedisLockStore(endpoint_config=config) for _ in range(CONTENDERS)]


def test_simultaneous_tickets_are_all_different(stores):
    barrier = threading.Barrier(CONTENDERS)
    tickets: list[int] = []

    def take(store: AtomicRedisLockStore) -> None:
        barrier.wait()
        tickets.append(store.issue_ticket("conversation-a"))

    threads = [threading.Thread(target=take, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(tickets) == list(range(CONTENDERS))
    lock = stores[0].get_lock("conversation-a")
    assert lock.now_serving == 0 and lock.last_issued == CONTENDERS - 1


def test_the_lock_is_served_in_ticket_order_and_dropped_when_idle(stores):
    first, second = stores[0].issue_ticket("conversation-b"), stores[1].issue_ticket("conversation-b")
    lock = stores[2].get_lock("conversation-b")
    assert not lock.is_locked(first) and lock.is_locked(second)
    stores[0].cleanup("conversation-b", first)
    assert not stores[2].get_lock("conversation-b").is_locked(second)
    stores[1].cleanup("conversation-b", second)
    assert stores[2].get_lock("conversation-b") is None
