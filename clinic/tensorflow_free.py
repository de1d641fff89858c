"""Keeps TensorFlow out of a Rasa server whose model uses no TensorFlow component."""

from __future__ import annotations

import importlib.util
import sys

# Imported by Rasa modules the server loads, though only training and TensorFlow components use it.
UNUSED_AT_SERVING = "rasa.utils.train_utils"


def keep_tensorflow_out() -> None:
    if "tensorflow" in sys.modules:
        raise RuntimeError("TensorFlow is already imported")
    # An import of TensorFlow now raises ImportError: spaCy's thinc takes that as "not installed".
    sys.modules["tensorflow"] = None
    spec = importlib.util.find_spec(UNUSED_AT_SERVING)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[UNUSED_AT_SERVING] = module
    spec.loader.exec_module(module)
