"""A website chat tab over socket.io for the tests, acknowledging messages as widget/widget.js does."""

import queue
import time
import uuid

import socketio


class Tab:
    """One widget tab over socket.io: it acknowledges each message with whether its panel is open."""

    def __init__(self, base: str, panel_open: bool = True, token: str | None = None) -> None:
        self.panel_open = panel_open
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "history"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.on("bot_uttered", self._bot_uttered)
        self.client.on("presence", lambda data: {"panel_open": self.panel_open})
        self.client.connect(base, transports=["polling"])
        self.client.emit("session_request", {"session_id": token})
        self.token = self.wait("session_confirm")
        self.history = self.wait("history")
        self.conversation_id = self.token.split(".")[0]

    def _bot_uttered(self, message):
        self.events.put(("bot_uttered", message))
        return {"panel_open": self.panel_open}

    def wait(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            event, data = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            if event == name:
                return data

    def say(self, text):
        """Sends a message and returns once the server has handled it (its acknowledgement)."""
        assert self.client.call("user_uttered", {"message": text, "id": uuid.uuid4().hex}, timeout=60) == {"ok": True}

    def settle(self, quiet=0.5):
        """Reads everything that arrives until nothing has for ``quiet`` seconds (an answer may be several)."""
        try:
            while True:
                self.events.get(timeout=quiet)
        except queue.Empty:
            return

    def received(self):
        """The bot messages that arrived so far and were not read yet."""
        messages = []
        while not self.events.empty():
            event, data = self.events.get_nowait()
            if event == "bot_uttered":
                messages.append(data)
        return messages

    def close(self):
        self.client.eio.disconnect(abort=True)
