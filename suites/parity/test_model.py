"""Each framework's model is the spec's computation: parameters, forward, optimizer steps."""

import pytest

from fixtures import checks

pytestmark = pytest.mark.parity


def test_parameters(task, make_rep, record):
    record["figures"] = checks.check_parameters(task, make_rep().export_weights())


def test_forward_matches_reference(task, make_rep, seed, record):
    record["figures"] = checks.check_forward(task, make_rep(), seed)


@pytest.mark.training
def test_train_step_matches_reference(task, make_rep, seed, record):
    record["figures"] = checks.check_train_step(task, make_rep(dropout=False), seed)
