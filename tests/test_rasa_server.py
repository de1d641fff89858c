"""The Rasa server's hot-spot fixes behave exactly like the Rasa code they replace."""

import pytest
import sqlalchemy
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

from clinic import rasa_server
from tests.servers import ROOT


@pytest.fixture(scope="module")
def rasa_validate():
    return RemoteAction._validate_action_result


def test_action_results_are_validated_against_rasas_schema(rasa_validate):
    action = RemoteAction("action_clinic_hours", None)
    valid = {"events": [{"event": "slot", "name": "city", "value": "Irvine"}], "responses": [{"text": "hi"}]}
    assert rasa_server.validate_action_result(action, valid) is rasa_validate(action, valid) is True
    invalid = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}
    with pytest.raises(ValidationError) as ours:
        rasa_server.validate_action_result(action, invalid)
    with pytest.raises(ValidationError) as theirs:
        rasa_validate(action, invalid)
    assert ours.value.message == theirs.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_every_event_type_resolves_to_rasas_class():
    rasa_resolve = rasa_server._rasa_resolve_by_type
    for cls in all_subclasses(Event):
        assert rasa_server.resolve_event_type(cls.type_name) is rasa_resolve(cls.type_name)
    assert rasa_server.resolve_event_type("user") is UserUttered
    assert rasa_server.resolve_event_type("slot") is SlotSet
    assert rasa_server.resolve_event_type("topic") is None
    assert rasa_server.resolve_event_type("no_such_event", ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_server.resolve_event_type("no_such_event")


def test_install_patches_rasa_and_sqlite_engines_use_the_write_ahead_log(tmp_path):
    rasa_server.install()
    rasa_server.install()
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.from_parameters({"event": "action", "name": "action_listen"}) == ActionExecuted("action_listen")
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_spacy_pipeline_is_loaded_again_once_unseen_text_has_grown_its_vocabulary(monkeypatch):
    monkeypatch.setattr(rasa_server, "SPACY_NEW_STRINGS_LIMIT", 300)
    model = SpacyNLP.load_model(str(ROOT / "build" / "spacy" / "en_clinic"))
    component = SpacyNLP(model, SpacyNLP.get_default_config())
    first = model.model

    def tokens(text):
        [message] = rasa_server.process_with_bounded_vocabulary(component, [Message({"text": text})], model)
        return [(t.text, t.lemma_, t.ent_type_) for t in message.get("text_spacy_doc")]

    before = tokens("does Irvine take lyrica patients")
    baseline = len(first.vocab.strings)
    for number in range(200):
        tokens(f"zq{number}x wv{number}y")
    assert model.model is not first
    assert len(model.model.vocab.strings) < baseline + 300
    assert tokens("does Irvine take lyrica patients") == before
