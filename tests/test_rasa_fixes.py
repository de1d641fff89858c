"""The fixes of Rasa hot spots behave exactly like the Rasa code they replace."""

import asyncio
import copy
import gc
import json
import tarfile
from unittest.mock import patch

import pytest
import rasa.core.processor
import rasa.core.run
import sqlalchemy
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from clinic import rasa_fixes
from clinic.graph_runner import SequentialGraphRunner
from harness.servers import MODEL, ROOT


@pytest.fixture(scope="module")
def rasa_validate():
    return RemoteAction._validate_action_result


def test_action_results_are_validated_against_rasas_schema(rasa_validate):
    action = RemoteAction("action_clinic_hours", None)
    valid = {"events": [{"event": "slot", "name": "city", "value": "Irvine"}], "responses": [{"text": "hi"}]}
    assert rasa_fixes.validate_action_result(action, valid) is rasa_validate(action, valid) is True
    invalid = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}
    with pytest.raises(ValidationError) as ours:
        rasa_fixes.validate_action_result(action, invalid)
    with pytest.raises(ValidationError) as theirs:
        rasa_validate(action, invalid)
    assert ours.value.message == theirs.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_a_response_found_valid_is_not_validated_again_and_an_invalid_one_always_is():
    action = RemoteAction("action_session_start", None)
    valid = {"events": [{"event": "session_started"}, {"event": "slot", "name": "language", "value": "es"}]}
    invalid = {"events": [{"event": "slot", "name": 3}]}
    with patch.object(rasa_fixes, "best_match", wraps=rasa_fixes.best_match) as checks:
        for _ in range(3):
            assert rasa_fixes.validate_action_result(action, dict(reversed(valid.items()))) is True
            with pytest.raises(ValidationError):
                rasa_fixes.validate_action_result(action, invalid)
    assert checks.call_count == 1 + 3  # the valid response once, the invalid one every time


def test_every_event_type_resolves_to_rasas_class():
    rasa_resolve = rasa_fixes._rasa_resolve_by_type
    for cls in all_subclasses(Event):
        assert rasa_fixes.resolve_event_type(cls.type_name) is rasa_resolve(cls.type_name)
    assert rasa_fixes.resolve_event_type("user") is UserUttered
    assert rasa_fixes.resolve_event_type("slot") is SlotSet
    assert rasa_fixes.resolve_event_type("topic") is None
    assert rasa_fixes.resolve_event_type("no_such_event", ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_fixes.resolve_event_type("no_such_event")


def test_install_patches_rasa_and_sqlite_engines_use_the_write_ahead_log(tmp_path):
    rasa_fixes.install()
    rasa_fixes.install()
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.from_parameters({"event": "action", "name": "action_listen"}) == ActionExecuted("action_listen")
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_spacy_pipeline_is_loaded_again_once_unseen_text_has_grown_its_vocabulary(monkeypatch):
    monkeypatch.setattr(rasa_fixes, "SPACY_NEW_STRINGS_LIMIT", 300)
    releases = []
    monkeypatch.setattr(rasa_fixes, "release_freed_memory", lambda: releases.append(len(releases)))
    model = SpacyNLP.load_model(str(ROOT / "build" / "spacy" / "en_clinic"))
    component = SpacyNLP(model, SpacyNLP.get_default_config())
    first = model.model

    def tokens(text):
        [message] = rasa_fixes.process_with_bounded_vocabulary(component, [Message({"text": text})], model)
        return [(t.text, t.lemma_, t.ent_type_) for t in message.get("text_spacy_doc")]

    before = tokens("does Irvine take lyrica patients")
    baseline = len(first.vocab.strings)
    for number in range(200):
        tokens(f"zq{number}x wv{number}y")
    assert model.model is not first
    assert releases  # the old pipeline's pages go back to the system
    assert len(model.model.vocab.strings) < baseline + 300
    assert tokens("does Irvine take lyrica patients") == before


async def test_action_calls_reuse_one_kept_alive_connection(unused_tcp_port):
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{unused_tcp_port}/webhook")
    try:
        with patch.object(EndpointConfig, "session", rasa_fixes.session_on_shared_connections):
            answers = [await endpoint.request(json={"next_action": "action_clinic_hours"}) for _ in range(3)]
    finally:
        await runner.cleanup()

    assert answers == [{"events": [], "responses": []}] * 3
    assert len(peers) == 3 and len(set(peers)) == 1


async def test_each_session_is_rasas_and_closing_it_keeps_the_pool():
    endpoint = EndpointConfig(url="http://127.0.0.1:1/webhook", headers={"X-Clinic": "1"}, basic_auth=None)
    first, second = endpoint.session(), rasa_fixes.session_on_shared_connections(endpoint)
    third = rasa_fixes.session_on_shared_connections(endpoint)
    assert second.connector is third.connector
    assert second.timeout == first.timeout
    assert second.headers == first.headers
    await second.close()
    assert not third.connector.closed
    await asyncio.gather(first.close(), third.close())


async def test_the_loaded_model_is_frozen_out_of_the_garbage_collectors_view(monkeypatch):
    loaded = object()

    async def load(*args, **kwargs):
        return loaded

    monkeypatch.setattr(rasa_fixes, "_rasa_load_agent_on_start", load)
    try:
        assert await rasa_fixes.load_agent_then_freeze_the_heap("model.tar.gz", None, None) is loaded
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_install_puts_the_sequential_runner_pooled_connections_and_freezing_in_place():
    rasa_fixes.install()
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
    assert EndpointConfig.session is rasa_fixes.session_on_shared_connections
    assert rasa.core.run.load_agent_on_start is rasa_fixes.load_agent_then_freeze_the_heap
    assert Domain.is_empty is rasa_fixes.domain_is_empty
    assert RulePolicy._get_possible_keys is rasa_fixes.possible_rule_keys


def test_a_domain_is_empty_exactly_when_rasa_says_so():
    domains = [Domain.empty(), Domain.load(ROOT / "domain.yml"), Domain.from_yaml("version: '3.1'\nintents: [greet]")]
    assert [rasa_fixes.domain_is_empty(d) for d in domains] == [True, False, False]
    assert [rasa_fixes._rasa_domain_is_empty(d) for d in domains] == [True, False, False]


@pytest.fixture(scope="module")
def rule_lookups():
    """The trained model's rule lookups (rules, and the loops' unhappy paths), as the server loads them."""
    with tarfile.open(MODEL) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rule_policy.json"))
        lookup = json.load(archive.extractfile(member))["lookup"]
    return [lookup["rules"], lookup["rules_for_loop_unhappy_path"]]


def conversations_from_rules(lookup):
    """State histories that each rule fits, cut short, grown longer, or with one feature changed."""
    histories = []
    for key in lookup:
        states = [copy.deepcopy(state) for state in RulePolicy._rule_key_to_state(key)]
        for state in states:
            for sub_state in state.values():
                for name, value in sub_state.items():
                    if isinstance(value, list):
                        sub_state[name] = tuple(value)
        opening = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
        histories += [states, states[1:], [opening, *states], [opening, opening, opening, *states]]
        changed = copy.deepcopy(states)
        changed[-1].setdefault("user", {})["intent"] = "goodbye"
        changed[-1].setdefault("slots", {})["safety_state"] = (1.0,)
        histories.append(changed)
    return histories


def test_rules_that_fit_a_conversation_are_the_ones_rasa_finds(rule_lookups):
    policy = RulePolicy.__new__(RulePolicy)
    checked = 0
    for lookup in rule_lookups:
        for states in conversations_from_rules(lookup):
            rasa_keys = rasa_fixes._rasa_get_possible_keys(policy, lookup, states)
            assert rasa_fixes.possible_rule_keys(policy, lookup, states) == rasa_keys
            # Asked again, from what it remembered.
            assert rasa_fixes.possible_rule_keys(policy, lookup, states) == rasa_keys
            checked += bool(rasa_keys)
    assert checked > 100  # most histories are fitted by at least one rule, so the sets compared are not all empty


def test_a_slot_copy_is_what_copy_copy_made_before():
    for slot in Domain.load(ROOT / "domain.yml").slots:
        slot.value = ["a", "list"]
        duplicate = rasa_fixes.copy_slot(slot)
        assert type(duplicate) is type(slot) and duplicate is not slot
        assert duplicate.__dict__ == slot.__dict__ and duplicate.value is slot.value


def test_action_calls_are_encoded_as_the_standard_encoder_reads_them():
    body = {"tracker": {"events": [{"text": "¿dónde está/Irvine?", "confidence": 0.1}]}, "n": 10**30, 1: None}
    assert json.loads(rasa_fixes.encode_json(body)) == json.loads(json.dumps(body))

    class Unknown:
        pass

    with pytest.raises(TypeError):
        rasa_fixes.encode_json({"x": Unknown()})


def test_an_action_call_carries_the_whole_domain_encoded_once():
    domain = Domain.load(ROOT / "domain.yml").as_dict()
    call = {"next_action": "action_clinic_hours", "sender_id": "web-1", "tracker": {"events": []}, "domain": domain}
    assert json.loads(rasa_fixes.encode_json(call)) == json.loads(json.dumps(call))
    with patch.object(rasa_fixes, "ujson_text", wraps=rasa_fixes.ujson_text) as encodes:
        for _ in range(3):
            assert json.loads(rasa_fixes.encode_json({**call, "next_action": "utter_x"}))["domain"] == domain
    assert [args[0] is domain for args, _ in encodes.call_args_list].count(True) == 0  # encoded before
    assert json.loads(rasa_fixes.encode_json({"domain": {"intents": []}})) == {"domain": {"intents": []}}


def growing_conversation():
    """Events of one conversation as they arrive: turns, a form, slots, a revert, a restart."""
    from rasa.shared.core.events import ActionReverted, ActiveLoop, Restarted, SessionStarted, UserUtteranceReverted

    def said(text, intent):
        return UserUttered(text, {"name": intent, "confidence": 0.9})

    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("language", "en"),
        ActionExecuted("action_listen"),
        said("hi", "greet"),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
        said("where are you", "clinic_locations"),
        ActionExecuted("action_clinic_locations"),
        SlotSet("clinic_context", "Irvine"),
        ActionExecuted("action_listen"),
        said("call me", "request_contact"),
        ActionExecuted("escalation_form"),
        ActiveLoop("escalation_form"),
        SlotSet("requested_slot", "first_name"),
        ActionExecuted("action_listen"),
        said("no", "deny"),
        UserUtteranceReverted(),
        said("Ana", "inform"),
        ActionExecuted("escalation_form"),
        ActionReverted(),
        ActionExecuted("escalation_form"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("action_listen"),
        said("thanks", "thank_you"),
        Restarted(),
        ActionExecuted("action_listen"),
        said("hola", "greet"),
    ]


def test_dialogue_states_continued_from_the_last_replay_are_rasas():
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    rasa_fixes._state_histories.clear()
    tracker = DialogueStateTracker("web-states", domain.slots)
    events = growing_conversation()
    for count, event in enumerate(events, start=1):
        tracker.update(event)
        for omit_unset_slots in (False, True):
            expected = rasa_fixes._rasa_past_states(tracker, domain, omit_unset_slots)
            assert rasa_fixes.past_states_continued(tracker, domain, omit_unset_slots) == expected, count
        # As RulePolicy does to the last state: the next answer must not see it.
        rasa_fixes.past_states_continued(tracker, domain)[-1].clear()
        assert rasa_fixes.past_states_continued(tracker, domain) == rasa_fixes._rasa_past_states(tracker, domain)

    # The same conversation rebuilt from its stored events (new objects), and one cut short.
    rebuilt = DialogueStateTracker.from_dict("web-states", [e.as_dict() for e in events[:12]], domain.slots)
    assert rasa_fixes.past_states_continued(rebuilt, domain) == rasa_fixes._rasa_past_states(rebuilt, domain)
    shorter = DialogueStateTracker.from_events("web-states", events[:8], domain.slots)
    assert rasa_fixes.past_states_continued(shorter, domain) == rasa_fixes._rasa_past_states(shorter, domain)


def test_dialogue_states_of_earlier_turns_are_not_computed_again():
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    rasa_fixes._state_histories.clear()
    events = growing_conversation()[:12]
    tracker = DialogueStateTracker.from_events("web-continue", events[:8], domain.slots)
    rasa_fixes.past_states_continued(tracker, domain)
    for event in events[8:]:
        tracker.update(event)
    with patch.object(Domain, "get_active_state", autospec=True, side_effect=Domain.get_active_state) as computed:
        states = rasa_fixes.past_states_continued(tracker, domain)
    new_actions = sum(isinstance(event, ActionExecuted) for event in events[8:])
    assert computed.call_count == new_actions + 1  # the new turns' states and the current one
    assert states == rasa_fixes._rasa_past_states(tracker, domain)
    # Another domain (a model loaded again) replays from the start.
    other = Domain.load(ROOT / "domain.yml")
    with patch.object(Domain, "get_active_state", autospec=True, side_effect=Domain.get_active_state) as computed:
        rasa_fixes.past_states_continued(tracker, other)
    assert computed.call_count == len(states)


def test_the_replays_kept_are_bounded():
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    rasa_fixes._state_histories.clear()
    for number in range(rasa_fixes.STATE_HISTORIES + 10):
        tracker = DialogueStateTracker.from_events(f"web-{number}", growing_conversation()[:6], domain.slots)
        rasa_fixes.past_states_continued(tracker, domain)
    assert len(rasa_fixes._state_histories) == rasa_fixes.STATE_HISTORIES
    assert "web-0" not in rasa_fixes._state_histories


def tracker_attributes(tracker):
    attributes = dict(vars(tracker))
    attributes["events"] = list(tracker.events)
    attributes["slots"] = {name: (type(slot), vars(slot)) for name, slot in tracker.slots.items()}
    return attributes


def test_a_tracker_copy_is_the_tracker_rasas_replay_makes():
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        FollowupAction,
        LoopInterrupted,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    events = growing_conversation() + [
        BotUttered("hello"),
        ActionExecuted("escalation_form"),
        LoopInterrupted(True),
        ActionExecutionRejected("escalation_form"),
        FollowupAction("utter_greet"),
        ConversationPaused(),
        SlotSet("first_name", "Ana"),
        ConversationResumed(),
        AllSlotsReset(),
        SlotSet("contact", "949 555 0175"),
    ]
    for limit in (None, 5):
        tracker = DialogueStateTracker("web-copy", domain.slots, max_event_history=limit)
        tracker.model_id, tracker.assistant_id, tracker.sender_source = "model", "assistant", "file"
        tracker._clinic_stored_events = 3
        for event in events:
            tracker.update(event)
            ours, rasas = rasa_fixes.copy_tracker(tracker), rasa_fixes._rasa_tracker_copy(tracker)
            assert tracker_attributes(ours) == tracker_attributes(rasas)
            assert ours.current_state() == rasas.current_state()
            # A copy is independent: changing it leaves the tracker as it was.
            before = tracker_attributes(tracker)
            ours.update(SlotSet("first_name", "Luz"))
            ours.update(ActionExecuted("escalation_form"))
            if ours.active_loop:
                ours.active_loop.is_interrupted = not ours.active_loop.is_interrupted
            assert tracker_attributes(tracker) == before


def test_a_tracker_copy_replays_no_event_unless_the_tracker_keeps_only_its_latest_events():
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    for limit, replayed in ((None, 0), (100, len(growing_conversation()))):
        tracker = DialogueStateTracker.from_events("web-replay", growing_conversation(), domain.slots)
        tracker._max_event_history = limit
        with patch.object(DialogueStateTracker, "update", autospec=True) as update:
            rasa_fixes.copy_tracker(tracker)
        assert update.call_count == replayed


def test_the_replay_of_a_conversation_of_long_messages_is_not_kept():
    from rasa.shared.core.trackers import DialogueStateTracker

    from clinic.tracker_store import KEPT_MESSAGE_CHARACTERS

    domain = Domain.load(ROOT / "domain.yml")
    rasa_fixes._state_histories.clear()
    events = growing_conversation()[:8]
    short = DialogueStateTracker.from_events("web-short", events, domain.slots)
    rasa_fixes.past_states_continued(short, domain)
    long_message = UserUttered("x" * (KEPT_MESSAGE_CHARACTERS + 1), {"name": "greet", "confidence": 0.9})
    long = DialogueStateTracker.from_events(
        "web-long", [*events, ActionExecuted("action_listen"), long_message], domain.slots
    )
    states = rasa_fixes.past_states_continued(long, domain)
    assert states == rasa_fixes._rasa_past_states(long, domain)
    assert list(rasa_fixes._state_histories) == ["web-short"]


def test_rules_that_fit_a_state_with_the_visitors_text_are_rasas_and_not_remembered(rule_lookups):
    policy = RulePolicy.__new__(RulePolicy)
    rasa_fixes._rule_fits.clear()
    text = "a long and unusual message " * 100
    for lookup in rule_lookups:
        for states in [s for s in conversations_from_rules(lookup) if s][:200]:
            with_text = copy.deepcopy(states)
            with_text[-1].setdefault("user", {})["text"] = text
            expected = rasa_fixes._rasa_get_possible_keys(policy, lookup, with_text)
            assert rasa_fixes.possible_rule_keys(policy, lookup, with_text) == expected
    assert not any(text in repr(key) for key in rasa_fixes._rule_fits)
    assert rasa_fixes._rule_fits  # the states without text are still remembered
