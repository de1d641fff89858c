"""An escalation record as the escalation action would file it, for the store's tests."""

import uuid

from clinic.escalations import NewEscalation


def new_escalation(**overrides) -> NewEscalation:
    fields = {
        "idempotency_key": f"conv-{uuid.uuid4().hex}:medical_advice:msg-1",
        "channel": "rest",
        # A conversation of its own: urgent records of one conversation merge (merge_within).
        "conversation_id": f"conv-{uuid.uuid4().hex}",
        "reason": "medical_advice",
        "triggering_message": "can I double my lyrica?",
        "transcript": [{"role": "user", "text": "can I double my lyrica?", "at": None}],
        "first_name": "Dana",
        "contact_phone": "+19495550142",
        "best_time": "mornings",
        "consent": True,
    }
    fields.update(overrides)
    return NewEscalation(**fields)
