"""The adapters' shared declarations: the spec's layer features in one set, the BatchNorm training rule."""

import ast
import inspect

import pytest

from fixtures.frameworks import base
from fixtures.tasks import TASKS, spec

pytestmark = pytest.mark.selftest


def test_layer_features_are_every_feature_the_spec_reports():
    source = inspect.getsource(spec.Task.features)
    added = {
        node.args[0].value
        for node in ast.walk(ast.parse(source.strip().replace("\n    ", "\n")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "add"
        and isinstance(node.args[0], ast.Constant)
    }
    assert base.LAYER_FEATURES == added


def test_training_is_refused_exactly_for_batch_norm_tasks():
    for task in TASKS.values():
        refused = base.training_refused(task)
        assert bool(refused) == ("batch_norm" in task.features()), task.name
        assert not refused or refused.startswith(f"{task.name}: BatchNorm is specified in its inference form only")
