"""CORS as browsers see it, with the servers started as bin/run-all and bin/run-prod start them (``--cors``).

Rasa's --cors and python-socketio would both add Access-Control-Allow-Origin to the socket.io
responses; a browser refuses a response with two, and the widget could not connect.
"""

import requests


def origins(assistant) -> list[str]:
    return assistant["env"]["RASA_CORS_ORIGINS"].split(",")


def allow_origin_headers(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Access-Control-Allow-Origin")


def test_the_socketio_handshake_carries_exactly_one_allow_origin_for_each_site(assistant):
    for origin in origins(assistant):
        response = requests.get(
            f"{assistant['rasa']}/socket.io/",
            params={"EIO": "4", "transport": "polling"},
            headers={"Origin": origin},
            timeout=30,
        )
        assert response.status_code == 200
        assert allow_origin_headers(response) == [origin]


def test_the_socketio_handshake_refuses_another_site(assistant):
    response = requests.get(
        f"{assistant['rasa']}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": "https://attacker.example"},
        timeout=30,
    )
    assert response.status_code == 400 and allow_origin_headers(response) == []


def test_other_routes_keep_rasas_single_header(assistant):
    for origin in origins(assistant):
        response = requests.get(f"{assistant['rasa']}/", headers={"Origin": origin}, timeout=30)
        assert allow_origin_headers(response) == [origin]
