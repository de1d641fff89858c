"""Rasa's prediction graph runner, without building and scheduling a dask graph for every run.

Rasa 3.6 runs each message through its model graphs with dask: every run cuts the schema down
to the nodes the targets need, builds a dask graph, orders it (``dask.order``) and runs it on
dask's synchronous scheduler, one node after another. For this assistant's graphs that
bookkeeping cost more CPU than all the dialogue policies together (about 13% of the server's
CPU under load, see the README). This runner works out each target list's node order once and
then calls the same nodes, with the same inputs and outputs, in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from graphlib import TopologicalSorter
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode
from rasa.engine.runner.dask import DaskGraphRunner

Step = tuple[str, GraphNode, tuple[str, ...]]  # node name, node, names of what it needs


class SequentialGraphRunner(DaskGraphRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, ...], list[Step]] = {}

    def plan(self, targets: Sequence[str]) -> list[Step]:
        """The nodes ``targets`` need, each after everything it needs (as Rasa's minimal schema)."""
        key = tuple(targets)
        if key not in self._plans:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            dependencies = {name: set(node.needs.values()) & schema.nodes.keys() for name, node in schema.nodes.items()}
            self._plans[key] = [
                (name, self._instantiated_nodes[name], tuple(schema.nodes[name].needs.values()))
                for name in TopologicalSorter(dependencies).static_order()
            ]
        return self._plans[key]

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plan = self.plan(run_targets)
        # Rasa's own check that no input value names a node.
        self._add_inputs_to_graph(inputs, dict.fromkeys(name for name, _, _ in plan))
        # As under dask: each output is (node name, value); a name nothing provides is passed as is.
        outputs: dict[str, Any] = {name: (name, value) for name, value in (inputs or {}).items()}
        try:
            for name, node, needs in plan:
                outputs[name] = node(*(outputs.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(outputs[target] for target in run_targets)
