"""JSON text written with ujson reads back as the standard encoder's would."""

import json
import math

import pytest

from clinic.json_text import json_text

EVENTS = [
    {"event": "user", "timestamp": 1795709376.9419007, "text": "¿Dónde está la clínica? 😊 a/b", "parse_data": {}},
    {"event": "slot", "name": "contact", "value": None, "confidence": 0.9999999999999999},
    {"nested": [1, 2.5, True, False, None, [], {}], "big": 10**18, "small": 1e-07, "tuple": (1, 2)},
    {1: "integer key", "quote": 'say "hi"\n\t\\', "control": "\x00\x1f"},
]


@pytest.mark.parametrize("data", EVENTS)
def test_json_text_reads_back_as_the_standard_encoders_text(data):
    assert json.loads(json_text(data)) == json.loads(json.dumps(data))


def test_what_ujson_cannot_encode_goes_to_the_standard_encoder():
    assert math.isnan(json.loads(json_text({"x": float("nan")}))["x"])
    assert json.loads(json_text({"x": 10**30})) == {"x": 10**30}
    with pytest.raises(TypeError):
        json_text({"x": object()})
