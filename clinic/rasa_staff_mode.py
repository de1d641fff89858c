"""Staff mode inside Rasa's message processor, installed by the Rasa server's launcher.

Rasa 3.6 already does most of staff mode: ``MessageProcessor.handle_message`` parses and records
every message of a paused conversation (the NLU pipeline runs, so the crisis screen's decision
is in the tracker) and ``_run_prediction_loop`` predicts nothing while ``tracker.is_paused()``.
Two things it cannot know are added here, with the tracker it has already loaded (nothing
more is read or stored for a conversation that is not paused):

- before the visitor's message is recorded (``_handle_message_with_tracker``): a conversation
  whose staff have not written for ``STAFF_MODE_TIMEOUT_MINUTES`` is resumed (Rasa's ``resume``
  event) and the visitor is told why, so the message is then answered as any other, its turn
  intact (resume, notice, message);
- before Rasa's prediction loop: a crisis message while staff are in the conversation still
  gets the crisis reply (988/911) at once and an urgent escalation (the rule's own
  ``utter_crisis`` and ``action_record_crisis``), which the console's live queue raises as an
  alert; the conversation stays paused.
"""

from __future__ import annotations

import logging
import time

import rasa.core.processor
from rasa.core.actions.action import action_for_name_or_text
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import BotUttered, ConversationResumed
from rasa.shared.core.trackers import DialogueStateTracker

from clinic import staff_mode

logger = logging.getLogger(__name__)
CRISIS_INTENT = "crisis"
# The actions of the crisis rule (data/rules.yml), then listening again as after any turn.
CRISIS_ACTIONS = ("action_respond_to_crisis", "action_record_crisis", ACTION_LISTEN_NAME)

_original_handle_message_with_tracker = rasa.core.processor.MessageProcessor._handle_message_with_tracker
_original_run_prediction_loop = rasa.core.processor.MessageProcessor._run_prediction_loop


async def handle_message_with_tracker(
    self: rasa.core.processor.MessageProcessor, message: UserMessage, tracker: DialogueStateTracker
) -> None:
    if tracker.is_paused() and staff_mode.timed_out([event.as_dict() for event in tracker.events]):
        await _resume_after_timeout(tracker, message.output_channel)
    await _original_handle_message_with_tracker(self, message, tracker)


async def run_prediction_loop(
    self: rasa.core.processor.MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
) -> None:
    if not self._should_handle_message(tracker) and (tracker.latest_message.intent or {}).get("name") == CRISIS_INTENT:
        await _answer_crisis(self, tracker, output_channel)
        return
    await _original_run_prediction_loop(self, output_channel, tracker)


async def _resume_after_timeout(tracker: DialogueStateTracker, output_channel: OutputChannel) -> None:
    language = staff_mode.language_of(tracker.current_slot_values())
    text = staff_mode.notice_text(staff_mode.TIMED_OUT, language, output_channel.name(), None, "")
    notice = staff_mode.notice_event(text, staff_mode.TIMED_OUT, None)
    tracker.update(ConversationResumed(timestamp=time.time()))
    tracker.update(BotUttered(text, metadata=notice["metadata"], timestamp=notice["timestamp"]))
    await output_channel.send_text_message(tracker.sender_id, text, staff_notice=staff_mode.TIMED_OUT)
    logger.info("event=staff_mode.timed_out conversation_id=%s", tracker.sender_id)


async def _answer_crisis(
    processor: rasa.core.processor.MessageProcessor, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> None:
    logger.warning("event=staff_mode.crisis conversation_id=%s", tracker.sender_id)
    for name in CRISIS_ACTIONS:
        action = action_for_name_or_text(name, processor.domain, processor.action_endpoint)
        prediction = PolicyPrediction.for_action_name(processor.domain, name, "StaffModeCrisis")
        await processor._run_action(action, tracker, output_channel, processor.nlg, prediction)


def install() -> None:
    """Puts the staff-mode step in front of Rasa's prediction loop (idempotent)."""
    rasa.core.processor.MessageProcessor._handle_message_with_tracker = handle_message_with_tracker
    rasa.core.processor.MessageProcessor._run_prediction_loop = run_prediction_loop
