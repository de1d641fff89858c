"""Serving a model that has no TensorFlow component without importing TensorFlow.

Rasa 3.6's server imports TensorFlow whatever the model: about 440 MB of memory and 5 s of
start-up (measured with ``make bench``; the README has the numbers). This assistant's model
uses none of it. Three imports bring it in, and each is kept out:

- spaCy's ``thinc`` imports TensorFlow when it is installed. An import of TensorFlow raises
  ``ImportError`` here, which thinc takes as "not installed".
- Rasa's entity extractors import ``rasa.utils.train_utils`` without using it; it imports
  Rasa's Keras callbacks. It is loaded lazily here: only on first use, which serving never makes.
- Loading a model also reads its training graph, whose recipe validator imports DIET, TED and
  the response selector only to compare classes with them. Stand-ins with the same names take
  their place; they refuse to be created or loaded.

This is done only when every component of the model's prediction graph is one known not to
need TensorFlow (Rasa's, other than those three and the dense featurizers, and this project's);
otherwise the server runs exactly as Rasa's.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any

TENSORFLOW_COMPONENTS = {
    "rasa.nlu.classifiers.diet_classifier": "DIETClassifier",
    "rasa.nlu.selectors.response_selector": "ResponseSelector",
    "rasa.core.policies.ted_policy": "TEDPolicy",
}
OTHER_TENSORFLOW_MODULES = (
    "rasa.core.policies.unexpected_intent_policy",
    "rasa.nlu.featurizers.dense_featurizer.",
    "rasa.utils.tensorflow.",
)
UNUSED_AT_SERVING = "rasa.utils.train_utils"
PROJECT_PACKAGE = "clinic."


class TensorFlowKeptOut(RuntimeError):
    pass


def model_archive(arguments: list[str]) -> Path | None:
    """The model ``rasa run <arguments>`` serves: ``--model``/``-m`` (default ``models``), newest if a directory."""
    path = Path("models")
    for option in ("--model", "-m"):
        if option in arguments[:-1]:
            path = Path(arguments[arguments.index(option) + 1])
    if path.is_dir():
        archives = sorted(path.glob("*.tar.gz"), key=lambda archive: archive.stat().st_mtime)
        return archives[-1] if archives else None
    return path if path.is_file() else None


def prediction_components(archive: Path) -> set[str]:
    """The classes (module paths) of the nodes of the model's prediction graph."""
    with tarfile.open(archive) as model:
        member = next(m for m in model.getmembers() if m.name.lstrip("/") == "metadata.json")
        metadata = json.load(model.extractfile(member))
    return {node["uses"] for node in metadata["predict_schema"]["nodes"].values()}


def needs_tensorflow(component: str) -> bool:
    module = component.rpartition(".")[0]
    if component.startswith(PROJECT_PACKAGE):
        return False
    if not component.startswith("rasa."):
        return True  # someone else's component: it may import TensorFlow
    return module in TENSORFLOW_COMPONENTS or module.startswith(OTHER_TENSORFLOW_MODULES)


def stand_in(module_name: str, class_name: str) -> types.ModuleType:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise TensorFlowKeptOut(f"{class_name} needs TensorFlow, which this server was started without")

    module = types.ModuleType(module_name, f"Stand-in for {module_name} in a server without TensorFlow.")
    attributes = {"__module__": module_name, "create": classmethod(refuse), "load": classmethod(refuse)}
    setattr(module, class_name, type(class_name, (), attributes))
    return module


def keep_tensorflow_out() -> None:
    if sys.modules.get("tensorflow") is not None:
        raise TensorFlowKeptOut("TensorFlow is already imported")
    sys.modules["tensorflow"] = None
    for module_name, class_name in TENSORFLOW_COMPONENTS.items():
        sys.modules[module_name] = stand_in(module_name, class_name)
    spec = importlib.util.find_spec(UNUSED_AT_SERVING)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[UNUSED_AT_SERVING] = module
    spec.loader.exec_module(module)


def keep_tensorflow_out_of(rasa_arguments: list[str]) -> bool:
    """Keeps TensorFlow out of this process when the model ``rasa run`` will serve needs none.

    Returns whether it did. Call before anything imports Rasa or spaCy.
    """
    archive = model_archive(rasa_arguments)
    if archive is None or any(needs_tensorflow(c) for c in prediction_components(archive)):
        return False
    keep_tensorflow_out()
    return True
