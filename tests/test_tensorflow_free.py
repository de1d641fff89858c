"""The Rasa server keeps TensorFlow out when, and only when, the model needs none of it."""

import io
import json
import os
import subprocess
import sys
import tarfile

import pytest

from bench.processes import loads_tensorflow
from clinic.tensorflow_free import keep_tensorflow_out_of, model_archive, needs_tensorflow, prediction_components
from harness.servers import MODEL, ROOT

DIET = "rasa.nlu.classifiers.diet_classifier.DIETClassifier"


def archive_with(path, components):
    metadata = json.dumps({"predict_schema": {"nodes": {f"node_{i}": {"uses": c} for i, c in enumerate(components)}}})
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(metadata)
        archive.addfile(info, io.BytesIO(metadata.encode()))
    return path


def test_the_model_is_the_one_rasa_run_serves(tmp_path, monkeypatch):
    older, newer = archive_with(tmp_path / "a.tar.gz", []), archive_with(tmp_path / "b.tar.gz", [])
    os.utime(older, (1, 1))
    assert model_archive(["run", "--model", str(older)]) == older
    assert model_archive(["run", "-m", str(tmp_path), "--port", "1"]) == newer
    assert model_archive(["run", "--model", str(tmp_path / "missing.tar.gz")]) is None
    monkeypatch.chdir(tmp_path)
    assert model_archive(["run"]) is None
    (tmp_path / "models").mkdir()
    archive_with(tmp_path / "models" / "current.tar.gz", [])
    assert model_archive(["run", "--port", "5005"]).resolve() == tmp_path / "models" / "current.tar.gz"


@pytest.mark.parametrize(
    ("component", "needed"),
    [
        (DIET, True),
        ("rasa.core.policies.ted_policy.TEDPolicy", True),
        ("rasa.nlu.featurizers.dense_featurizer.lm_featurizer.LanguageModelFeaturizer", True),
        ("someone.elses.Component", True),
        ("rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer", False),
        ("rasa.core.policies.rule_policy.RulePolicy", False),
        ("clinic.nlu.intent_classifier.LinearIntentClassifier", False),
    ],
)
def test_which_components_need_tensorflow(component, needed):
    assert needs_tensorflow(component) is needed


def test_this_assistants_model_needs_no_tensorflow():
    components = prediction_components(MODEL)
    assert "clinic.nlu.intent_classifier.LinearIntentClassifier" in components
    assert not [c for c in components if needs_tensorflow(c)]


def test_a_model_with_a_tensorflow_component_is_served_as_rasa_serves_it(tmp_path):
    archive = archive_with(tmp_path / "diet.tar.gz", ["rasa.core.policies.rule_policy.RulePolicy", DIET])
    assert keep_tensorflow_out_of(["run", "--model", str(archive)]) is False
    assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is not None


SERVE_WITHOUT_TENSORFLOW = """
import asyncio, sys
from clinic.tensorflow_free import TensorFlowKeptOut, keep_tensorflow_out_of
assert keep_tensorflow_out_of(["run", "--model", sys.argv[1]])
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
print(asyncio.run(agent.parse_message("how long does ketamine last"))["intent"]["name"])
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
try:
    DIETClassifier.load({}, None, None, None)
except TensorFlowKeptOut as refused:
    print(refused)
print(sys.modules["tensorflow"], "tensorflow.python" in sys.modules)
"""


def test_the_model_loads_and_answers_without_tensorflow_and_tensorflow_components_refuse():
    finished = subprocess.run(
        [sys.executable, "-c", SERVE_WITHOUT_TENSORFLOW, str(MODEL)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert finished.stdout.splitlines()[-3:] == [
        "ketamine_duration",
        "DIETClassifier needs TensorFlow, which this server was started without",
        "None False",
    ]


def test_the_running_server_has_no_tensorflow(assistant):
    assert not loads_tensorflow(assistant["pids"]()["rasa"])
