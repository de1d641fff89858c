"""Fixes of Rasa 3.6 hot spots, installed by the Rasa server's launcher (clinic/rasa_server.py).

Found with `make bench`, CPU profiles of the server under load and the fault tests (numbers in
the README). Each costs CPU on every message in Rasa's single event loop, or lets memory grow
without bound:

- Rasa validates every action-server response with ``jsonschema.validate``, which checks the
  large events schema against the JSON-Schema meta-schema on every call (~13 ms idle, ~50 ms
  under load). The same schema is compiled once here and responses are validated exactly as
  before (same schema, same errors). Even compiled, the events' ``oneOf`` tries every event
  type (~4.5% of the CPU, most of it for the session start's three events), and the same
  responses come back again and again (fixed answers, the session start): a response already
  found valid, compared by its exact JSON text, is not validated again.
- Loading a tracker from the store turns each stored event back into an object, and Rasa finds
  each event's class by walking every subclass of ``Event`` with ``inspect.isabstract`` (~0.5 ms
  an event, ~30 ms for a ten-turn conversation, several times per message). The classes are
  looked up in a table built once instead; unknown names still get Rasa's own answer.
- spaCy 3.4 keeps every string and word it has ever seen in its vocabulary, so text it has not
  seen (typos, numbers, anything random) grows a long-running server without bound (~17 MB per
  1,000 hostile messages in the fault test). When the vocabulary has grown by
  ``SPACY_NEW_STRINGS_LIMIT`` strings, the same spaCy pipeline is loaded again from disk.
- SQLite's default rollback journal syncs to disk several times per commit. The tracker store
  runs in write-ahead-log mode with ``synchronous=NORMAL``: a commit survives a crash or
  ``kill -9`` of the server (the fault tests check this); only an operating-system crash or power
  loss can lose the last transactions.
- Rasa runs every message through its model graphs with dask, which builds and orders a new
  dask graph each time (~13% of the server's CPU); clinic/graph_runner.py runs the same nodes in
  an order worked out once.
- Rasa opens a new HTTP connection to the action server for every custom action. Connections are
  kept alive in one pool per event loop instead (~4%).
- Rasa checks on every message whether the domain is empty by building a new empty ``Domain``
  to compare with (~2%); the empty domain's data is built once here.
- After the model is loaded, the objects loaded so far are frozen out of the garbage collector's
  view (``gc.freeze``): a full collection no longer walks the whole model (0.3-0.4 s pauses).
- The rule policy finds the rules that fit a conversation by testing every rule against each of
  the conversation's states, back to its first turn, for every prediction (~12%). A rule longer
  than the conversation's history has nothing left to test, so the walk stops at the longest
  rule, and which rules fit one state at one position is remembered (the rules never change
  after loading; states repeat across conversations), keyed without the visitor's text when no
  rule reads it (the text cannot change the fit, and would keep every message in memory).
- Every prediction computes the dialogue state before each past action of the conversation by
  replaying all of its events from the start (~10%), two or three times per message. The
  replay of each conversation is kept (for the ``STATE_HISTORIES`` most recent ones) and
  continued from where it stopped when the same events are followed by new ones; anything else
  (another domain, reverted or rebuilt events) replays from the start, as Rasa does.
- Rasa copies the tracker before every action by replaying all of the conversation's events
  on a new tracker (~3.5%). The copy is made from the tracker's state directly: the same
  events, slots, loop, latest message and action, which replaying the events gives (Rasa
  changes a tracker only through its events); like Rasa's copy, it has no model or assistant
  id and no attributes other than a tracker's own. A tracker that keeps only its latest events
  is copied as Rasa copies it.
- Every tracker copy copies each slot with ``copy.copy``, which goes through pickling's
  ``__reduce_ex__`` (~5%; a tracker is copied for every past turn of every prediction). Slots
  get a ``__copy__`` that makes the same shallow copy directly.
- The body of each action-server call (the tracker and the whole domain) is encoded with
  ``ujson`` instead of the standard library's encoder (~4%), the domain's part once per loaded
  domain (Rasa sends the same domain data with every call); anything ``ujson`` cannot encode
  falls back to the standard encoder.

Everything else is Rasa's own code, unchanged.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import gc
import json
import logging
import sqlite3
from collections import OrderedDict
from functools import cache
from typing import Any

import aiohttp
import rasa.core.processor
import rasa.core.run
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.constants import USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine

from clinic.graph_runner import SequentialGraphRunner
from clinic.json_text import ujson_text
from clinic.tracker_store import KEPT_MESSAGE_CHARACTERS, message_characters

logger = logging.getLogger(__name__)
ACTION_RESULT_HELP = (
    ". Failed to validate Action server response from API, make sure your response from the Action "
    "endpoint is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


@cache
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


VALID_RESULTS_CACHE_SIZE = 1_000
_valid_results: set[str] = set()


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action-server response, with the schema compiled once."""
    try:
        text = json.dumps(result, sort_keys=True)
    except (TypeError, ValueError):
        text = None  # not JSON (Rasa only ever passes parsed JSON): validated every time
    if text is not None and text in _valid_results:
        return True
    # What jsonschema.validate does after its schema check: report the most relevant error.
    error = best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += ACTION_RESULT_HELP
        raise error
    if text is not None:
        if len(_valid_results) >= VALID_RESULTS_CACHE_SIZE:
            _valid_results.clear()
        _valid_results.add(text)
    return True


_event_classes: dict[str, type[Event]] = {}
_rasa_resolve_by_type = Event.resolve_by_type


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, from a table of the event classes."""
    if type_name not in _event_classes:
        # Rasa takes the first match in subclass order: later entries must not override earlier ones.
        _event_classes.update({cls.type_name: cls for cls in reversed(all_subclasses(Event))})
    return _event_classes.get(type_name) or _rasa_resolve_by_type(type_name, default)


def release_freed_memory() -> None:
    """Hands the pages of freed objects back to the system, where the C library can (glibc).

    The old pipeline's vocabulary is thousands of small blocks spread over the heap: freed, they
    would stay in the process, and each reload would add the new pipeline's size to it.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass  # not glibc: its allocator decides


SPACY_NEW_STRINGS_LIMIT = 50_000  # about 12 MB of strings and words
_spacy_baselines: dict[int, int] = {}  # id of a loaded pipeline -> its vocabulary size at first use
_rasa_spacy_process = SpacyNLP.process


def process_with_bounded_vocabulary(self: SpacyNLP, messages: list[Message], model: SpacyModel) -> list[Message]:
    """Rasa's ``SpacyNLP.process``; then a fresh copy of the pipeline once the vocabulary has grown too much."""
    processed = _rasa_spacy_process(self, messages, model)
    strings = len(model.model.vocab.strings)
    if strings - _spacy_baselines.setdefault(id(model.model), strings) > SPACY_NEW_STRINGS_LIMIT:
        _spacy_baselines.pop(id(model.model))
        model.model = SpacyNLP.load_model(model.model_name).model
        release_freed_memory()
        logger.info("event=spacy.reloaded strings=%d", strings)
    return processed


# Under the action server's keep-alive (Sanic's 5 s), so a pooled connection is never one it is closing.
KEEPALIVE_SECONDS = 2.0
_connectors: dict[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = {}


def session_on_shared_connections(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's ``EndpointConfig.session``, drawing its connections from one pool per event loop."""
    loop = asyncio.get_running_loop()
    connector = _connectors.get(loop)
    if connector is None or connector.closed:
        connector = _connectors[loop] = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=connector,
        connector_owner=False,
        json_serialize=encode_json,
    )


_encoded_domains: dict[int, tuple[dict[str, Any], str]] = {}


def _encoded_domain(domain: dict[str, Any]) -> str:
    """The domain's JSON, encoded once: Rasa sends the same (unchanging) domain data with every call."""
    entry = _encoded_domains.get(id(domain))
    if entry is None or entry[0] is not domain:
        if len(_encoded_domains) >= 2:  # a model loaded again brings a new domain
            _encoded_domains.clear()
        entry = _encoded_domains[id(domain)] = (domain, ujson_text(domain))
    return entry[1]


def encode_json(data: Any) -> str:
    """``json.dumps``'s output for the JSON types, ``ujson``'s speed; the standard encoder for anything else."""
    try:
        if isinstance(data, dict) and isinstance(data.get("domain"), dict):
            rest = ujson_text({key: value for key, value in data.items() if key != "domain"})
            return f'{rest[:-1]}{"," if len(rest) > 2 else ""}"domain":{_encoded_domain(data["domain"])}}}'
        return ujson_text(data)
    except (TypeError, OverflowError):
        return json.dumps(data)


def copy_slot(self: Slot) -> Slot:
    """What ``copy.copy`` makes of a slot (a new object sharing the attribute values), made directly."""
    duplicate = object.__new__(type(self))
    duplicate.__dict__.update(self.__dict__)
    return duplicate


_rasa_get_possible_keys = RulePolicy._get_possible_keys
RULE_FITS_CACHE_SIZE = 5_000  # about 3.5 kB each
_rule_fits: dict[tuple[int, int, Any], frozenset[str]] = {}
_rule_shapes: dict[int, tuple[dict[str, Any], int, bool]] = {}
TEXT_LEFT_OUT = object()


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _rule_shape(lookup: dict[str, Any]) -> tuple[int, bool]:
    """The length of the longest rule, and whether any rule reads the visitor's text."""
    entry = _rule_shapes.get(id(lookup))
    if entry is None or entry[0] is not lookup:
        rules = [RulePolicy._rule_key_to_state(key) for key in lookup]
        longest = max((len(states) for states in rules), default=0)
        reads_text = any(TEXT in (state.get(USER) or {}) for states in rules for state in states)
        entry = _rule_shapes[id(lookup)] = (lookup, longest, reads_text)
    return entry[1], entry[2]


def possible_rule_keys(self: RulePolicy, lookup: dict[str, Any], states: list[dict[str, Any]]) -> set[str]:
    """Rasa's ``RulePolicy._get_possible_keys``: the rules that fit every state they reach back to."""
    longest, reads_text = _rule_shape(lookup)
    possible_keys = set(lookup)
    # Rasa walks the whole history, but at and beyond position ``longest`` every rule fits.
    for turn_index, state in enumerate(reversed(states[-longest:] if longest else [])):
        if not reads_text and state.get(USER, {}).get(TEXT) is not None:
            # No rule reads the visitor's text, so the text cannot change which rules fit: the key
            # leaves it out (or every message's text, up to 20,000 characters, would be kept).
            state = {**state, USER: {**state[USER], TEXT: TEXT_LEFT_OUT}}
        cache_key = (id(lookup), turn_index, _frozen(state))
        fitting = _rule_fits.get(cache_key)
        if fitting is None:
            if len(_rule_fits) >= RULE_FITS_CACHE_SIZE:
                _rule_fits.clear()
            fitting = _rule_fits[cache_key] = frozenset(
                key for key in lookup if self._is_rule_applicable(key, turn_index, state)
            )
        possible_keys &= fitting
        if not possible_keys:
            break
    return possible_keys


def tune_sqlite_connection(dbapi_connection: Any, _record: Any = None) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


_rasa_domain_is_empty = Domain.is_empty


@cache
def _empty_domain_data() -> dict[str, Any]:
    return Domain.empty().as_dict()


def domain_is_empty(self: Domain) -> bool:
    """Rasa's ``Domain.is_empty``, comparing with an empty domain's data built once."""
    return self.as_dict() == _empty_domain_data()


_rasa_load_agent_on_start = rasa.core.run.load_agent_on_start


async def load_agent_then_freeze_the_heap(*args: Any, **kwargs: Any) -> Any:
    """Rasa's model loading at start-up; then everything loaded so far leaves the garbage collector's view."""
    agent = await _rasa_load_agent_on_start(*args, **kwargs)
    gc.collect()
    gc.freeze()
    return agent


_rasa_tracker_copy = DialogueStateTracker.copy


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa's ``DialogueStateTracker.copy`` (all events replayed on a new tracker), from the state."""
    if self._max_event_history is not None:
        # Rasa replays only the events kept: its copy forgets what the older ones set.
        return _rasa_tracker_copy(self)
    # As init_copy, without copying and resetting the slots that are replaced below.
    duplicate = DialogueStateTracker(
        self.sender_id or DEFAULT_SENDER_ID, None, self._max_event_history, is_rule_tracker=self.is_rule_tracker
    )
    duplicate.events = duplicate._create_events(list(self.events))
    duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    duplicate._paused = self._paused
    duplicate.followup_action = self.followup_action
    duplicate.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    duplicate.latest_message = self.latest_message
    duplicate.latest_bot_utterance = self.latest_bot_utterance
    duplicate.active_loop = copy.copy(self.active_loop)
    return duplicate


_rasa_past_states = DialogueStateTracker.past_states
STATE_HISTORIES = 64  # conversations whose replay is kept


class StateHistory:
    """One conversation's replay: the tracker after its first ``count`` applied events, and the
    state before each action among them."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> None:
        self.key = (domain, omit_unset_slots, tracker.is_rule_tracker, tracker._max_event_history)
        self.replay = tracker.init_copy()
        self.count = 0
        self.characters = 0  # of the messages among the events replayed
        self.last_event: Event | None = None
        self.states: list[dict[str, Any]] = []

    def continues(self, applied: list[Event], key: tuple[Any, ...]) -> bool:
        """True when ``applied`` starts with the events replayed so far (the same objects)."""
        if key[0] is not self.key[0] or key[1:] != self.key[1:] or self.count > len(applied):
            return False
        # Events are only ever appended or removed (reverted), never reordered: the same object
        # at the same place means the same events before it.
        return self.count == 0 or applied[self.count - 1] is self.last_event


_state_histories: OrderedDict[str, StateHistory] = OrderedDict()


def past_states_continued(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rasa's ``past_states``, continuing the conversation's last replay when its events only grew.

    The states of earlier turns are shared between answers: the policies change only the last
    state (RulePolicy drops its text or intent), which is always made anew.
    """
    if ignore_rule_only_turns:  # ML policies' states: none here, Rasa's code
        return _rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = self.applied_events()
    key = (domain, omit_unset_slots, self.is_rule_tracker, self._max_event_history)
    history = _state_histories.pop(self.sender_id, None)
    if history is None or not history.continues(applied, key):
        history = StateHistory(self, domain, omit_unset_slots)
    # As Domain.states_for_tracker_history: the state before each action, then the current one.
    for applied_event in applied[history.count :]:
        if isinstance(applied_event, ActionExecuted):
            history.states.append(domain.get_active_state(history.replay, omit_unset_slots=omit_unset_slots))
        history.replay.update(applied_event)
    history.characters += message_characters(applied[history.count :])
    history.count = len(applied)
    history.last_event = applied[-1] if applied else None
    # A conversation of long messages is not kept, as in the tracker store: memory stays bounded.
    if history.characters <= KEPT_MESSAGE_CHARACTERS:
        _state_histories[self.sender_id] = history
    while len(_state_histories) > STATE_HISTORIES:
        _state_histories.popitem(last=False)
    return [*history.states, domain.get_active_state(history.replay, omit_unset_slots=omit_unset_slots)]


def install() -> None:
    """Applies the fixes to this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    SpacyNLP.process = process_with_bounded_vocabulary
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
    EndpointConfig.session = session_on_shared_connections
    rasa.core.run.load_agent_on_start = load_agent_then_freeze_the_heap
    Domain.is_empty = domain_is_empty
    RulePolicy._get_possible_keys = possible_rule_keys
    Slot.__copy__ = copy_slot
    DialogueStateTracker.past_states = past_states_continued
    DialogueStateTracker.copy = copy_tracker
    if not event.contains(Engine, "connect", tune_sqlite_connection):
        event.listen(Engine, "connect", tune_sqlite_connection)
