"""The sequential graph runner gives what Rasa's dask runner gives, for any targets and inputs."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from clinic.graph_runner import SequentialGraphRunner

calls: list[str] = []


class Step(GraphComponent):
    """Provides a number, or combines what it is given, and records each call."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> Step:
        return cls(config)

    def provide(self) -> int:
        calls.append(f"provide {self.config['value']}")
        return self.config["value"]

    def add(self, left: int, right: int) -> int:
        calls.append("add")
        return left + right

    def scale(self, number: int, factor: int) -> list[int]:
        calls.append("scale")
        return [number * factor]


def node(fn: str, needs: dict[str, str] | None = None, **config: Any) -> SchemaNode:
    return SchemaNode(needs=needs or {}, uses=Step, constructor_name="create", fn=fn, config=config, eager=True)


SCHEMA = GraphSchema(
    {
        "scaled": node("scale", {"number": "sum", "factor": "__factor__"}),
        "sum": node("add", {"left": "two", "right": "three"}),
        "two": node("provide", value=2),
        "three": node("provide", value=3),
        "unused": node("provide", value=100),
    }
)


def runners(tmp_path):
    context = ExecutionContext(SCHEMA, "model")
    storage = LocalModelStorage(tmp_path)
    return [runner.create(SCHEMA, storage, context) for runner in (DaskGraphRunner, SequentialGraphRunner)]


@pytest.mark.parametrize("targets", [["scaled"], ["sum", "two"], ["three"]])
def test_outputs_are_the_dask_runners(tmp_path, targets):
    dask, sequential = runners(tmp_path)
    calls.clear()
    expected = dask.run(inputs={"__factor__": 10}, targets=targets)
    dask_calls = sorted(calls)
    calls.clear()

    assert sequential.run(inputs={"__factor__": 10}, targets=targets) == expected
    assert sorted(calls) == dask_calls
    assert "provide 100" not in calls


def test_each_node_runs_after_what_it_needs_and_the_plan_is_kept(tmp_path):
    _, sequential = runners(tmp_path)
    order = [name for name, _, _ in sequential.plan(["scaled"])]

    assert set(order) == {"scaled", "sum", "two", "three"}
    assert order.index("sum") > max(order.index("two"), order.index("three"))
    assert order[-1] == "scaled"
    assert sequential.plan(["scaled"]) is sequential.plan(["scaled"])
    assert sequential.run(inputs={"__factor__": 2}, targets=["scaled"]) == {"scaled": [10]}
    assert sequential.run(inputs={"__factor__": 3}, targets=["scaled"]) == {"scaled": [15]}


def test_an_input_named_like_a_node_is_refused_as_rasa_refuses_it(tmp_path):
    for runner in runners(tmp_path):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"__factor__": "sum"}, targets=["scaled"])
