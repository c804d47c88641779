"""expectations/<framework>.txt: parsing, strict xfail / skip at collection, warnings for stale lines."""

import pytest

from fixtures import expectations
from suites.selftest import runner
from suites.selftest.runner import FAKE, by_test

pytestmark = pytest.mark.selftest

TEXT = """
# reason one (https://example.org/issue/1)
suites/parity/test_model.py::test_parameters[mnist_mlp-fake]

# reason two
skip: test_forward_matches_reference[mnist_mlp-fake]
suites/parity/test_model.py::test_no_such_test
"""


def test_parse_groups_entries_under_reasons():
    got = expectations.parse(TEXT, "fake", "fake.txt")
    assert [(e.prefix, e.reason, e.skip) for e in got] == [
        (
            "suites/parity/test_model.py::test_parameters[mnist_mlp-fake]",
            "reason one (https://example.org/issue/1)",
            False,
        ),
        ("test_forward_matches_reference[mnist_mlp-fake]", "reason two", True),
        ("suites/parity/test_model.py::test_no_such_test", "reason two", False),
    ]
    assert got[0].source == "fake.txt:3"


def test_entry_without_reason_is_an_error():
    with pytest.raises(ValueError, match="no '# reason' line"):
        expectations.parse("test_parameters[mnist_mlp-fake]\n# too late\n", "fake", "fake.txt")


def test_every_shipped_expectations_file_parses():
    for path in sorted(expectations.ROOT.joinpath("expectations").glob("*.txt")):
        expectations.parse(path.read_text(), path.stem, str(path))


@pytest.mark.parametrize("fail", [False, True], ids=["passes-so-strict-xfail-fails", "fails-as-expected"])
def test_applied_at_collection_with_warning(tmp_path, fail):
    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "fake.txt").write_text(TEXT)
    (exp / "other.txt").write_text("# not in this session\ntest_parameters[mnist_mlp-other]\n")
    entry = {**FAKE, "env": {"FAKEFW_FAIL": "load_weights:raise"}} if fail else FAKE
    proc, recs = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "--framework", "fake", "--task", "mnist_mlp", "-W", "default"],
        entries={"fake": entry},
        env={"DLPARITY_EXPECTATIONS": str(exp)},
    )
    got = by_test(recs)
    out = proc.stdout
    params, forward = got["test_parameters[mnist_mlp-fake]"], got["test_forward_matches_reference[mnist_mlp-fake]"]
    assert forward["outcome"] == "skipped" and "reason two" in forward["reason"], forward
    if fail:
        assert "1 xfailed" in out, out[-2000:]
    else:  # the expected difference is gone: strict xfail turns the pass into a failure
        assert params["outcome"] == "failed" and "XPASS(strict)" in out, out[-2000:]
    assert "ExpectationWarning" in out and "test_no_such_test" in out, out[-3000:]
    assert "test_parameters[mnist_mlp-other]" not in out  # 'other' is not in this session
