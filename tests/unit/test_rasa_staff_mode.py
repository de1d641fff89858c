"""The staff-mode hook (clinic/rasa_staff_mode.py) against the Rasa code it wraps.

The hook relies on Rasa 3.6's processor recording the message of a paused conversation in
``_handle_message_with_tracker`` and skipping prediction in ``_run_prediction_loop`` through
``_should_handle_message``; if a Rasa upgrade changes either, these fail before staff mode does.
"""

import inspect

import rasa.core.processor
from rasa.shared.core.events import ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic import rasa_staff_mode

Processor = rasa.core.processor.MessageProcessor


def test_rasa_still_skips_prediction_for_a_paused_conversation_but_not_a_restart():
    source = inspect.getsource(rasa_staff_mode._original_run_prediction_loop)
    assert "self._should_handle_message(tracker)" in source
    tracker = DialogueStateTracker.from_events("t", [ConversationPaused(), UserUttered("hi", {"name": "greet"})])
    assert Processor._should_handle_message(tracker) is False
    tracker.update(UserUttered("/restart", {"name": "restart"}))
    assert Processor._should_handle_message(tracker) is True
    tracker.update(ConversationResumed())
    assert Processor._should_handle_message(tracker) is True


def test_the_wrapped_methods_keep_rasas_signatures():
    for name, original in [
        ("_handle_message_with_tracker", rasa_staff_mode._original_handle_message_with_tracker),
        ("_run_prediction_loop", rasa_staff_mode._original_run_prediction_loop),
    ]:
        assert list(inspect.signature(original).parameters) == list(
            inspect.signature(getattr(rasa_staff_mode, name.lstrip("_"))).parameters
        )
    assert "tracker.update(" in inspect.getsource(rasa_staff_mode._original_handle_message_with_tracker)


def test_install_puts_the_hook_in_front_of_rasas_methods():
    rasa_staff_mode.install()
    assert Processor._run_prediction_loop is rasa_staff_mode.run_prediction_loop
    assert Processor._handle_message_with_tracker is rasa_staff_mode.handle_message_with_tracker
