"""Reading input: YAML 1.2 core-schema scalars, numbers that are numbers, keys that do not hide whitespace,
regular files only, and one short line for every refusal whatever the key or value."""

from __future__ import annotations

import copy
import math
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.scenario.yamlio import MAX_FILE_BYTES, dump_yaml, parse_yaml, read_file

HELPDESK = SCENARIOS / "startup_it_helpdesk.yaml"
DOC = yaml.safe_load(HELPDESK.read_text(encoding="utf-8"))
FAST = settings(max_examples=int(os.environ.get("SIMKIT_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def loads_with(path: tuple, value: Any, raw: str | None = None) -> sk.Scenario:
    """The helpdesk scenario with the value at ``path`` replaced (``raw``: the YAML text written there)."""
    doc = copy.deepcopy(DOC)
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = "@@" if raw is not None else value
    text = dump_yaml(doc)  # quotes every text a YAML 1.2 reader would take for a number
    if raw is not None:
        text = text.replace("'@@'", raw)
    return sk.loads(text, source="s.yaml")


# --------------------------------------------------------------------------- YAML 1.2 scalars
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:00", "8:00"), ("1:30:00", "1:30:00"),          # YAML 1.1: base 60 (480, 5400)
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("Off", "Off"),
        ("1_000", "1_000"), ("0b101", "0b101"), ("2024-01-31", "2024-01-31"), ("+.5e", "+.5e"),
        ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
        ("12", 12), ("-0", 0), ("+7", 7), ("0o17", 15), ("0x1F", 31), ("0", 0),
        ("1e3", 1000.0), ("1.5", 1.5), (".5", 0.5), ("5.", 5.0), ("-2.5E-3", -0.0025),
        (".inf", math.inf), ("-.Inf", -math.inf),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, expected: Any) -> None:
    value = parse_yaml(f"v: {text}\n", "t.yaml")["v"]
    assert value == expected and type(value) is type(expected), (text, value)
    assert math.isnan(parse_yaml("v: .nan\n", "t.yaml")["v"])


@pytest.mark.parametrize("text", ["010", "-007", "+01", "00"])
def test_a_leading_zero_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(sk.ScenarioError, match="leading zero, which YAML 1.1 reads as octal") as info:
        parse_yaml(f"staff: {text}\n", "t.yaml")
    assert f"write {int(text)}" in str(info.value)
    assert parse_yaml(f"staff: '{text}'\n", "t.yaml") == {"staff": text}  # quoted it is text


@pytest.mark.parametrize(
    ("path", "raw", "expected"),
    [
        (("workload", "kinds", "incident", "sla_h"), "8:00", "workload.kinds.incident.sla_h: must be a number, "
                                                             "got '8:00'"),
        (("teams", "engineers", "staff"), "true", "teams.engineers.staff: must be a whole number, got true"),
        (("teams", "engineers", "staff"), "yes", "teams.engineers.staff: must be a whole number, got 'yes'"),
        (("teams", "engineers", "staff"), "1_000", "must be a whole number, got '1_000'"),
        (("teams", "engineers", "staff"), "'3'", "must be a whole number, got '3'"),
        (("vendors", "msp", "price_per_item"), "false", "must be a number, got false"),
        (("run", "seed"), "on", "run.seed: must be a whole number, got 'on'"),
        (("workload", "rate_per_hour"), "1,5", "must be a number, got '1,5'"),
        (("workload", "day_of_week"), "[1, 1, 1, true, 1, 1, 1]", "workload.day_of_week: must be a number, got true"),
        (("workload", "kinds", "incident", "effort_h"), "{dist: empirical, values: [1, true]}",
         "must be a list of numbers"),
        (("workload", "kinds", "incident", "effort_h"), "{dist: empirical, values: ['1_000']}",
         "must be a list of numbers"),
    ],
)
def test_lookalike_numbers_are_refused_in_one_line(path: tuple, raw: str, expected: str) -> None:
    with pytest.raises(sk.ScenarioError) as info:
        loads_with(path, None, raw)
    assert expected in str(info.value) and "\n" not in str(info.value), str(info.value)


def _numeric_paths(node: Any, loc: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _numeric_paths(v, (*loc, k))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        out.append(loc)
    return out


NUMERIC = _numeric_paths(DOC)


@FAST
@given(path=st.sampled_from(NUMERIC), value=st.sampled_from([True, False, "1", "0x10", "8:00", "1e3", "yes"]))
def test_no_numeric_field_reads_a_boolean_or_text_as_a_number(path: tuple, value: Any) -> None:
    with pytest.raises(sk.ScenarioError, match="must be a (whole )?number") as info:
        loads_with(path, value)
    assert ".".join(map(str, path)) in str(info.value)


@FAST
@given(text=st.text(max_size=12))
def test_any_text_survives_writing_and_reading_back(text: str) -> None:
    sc = sk.load(HELPDESK)
    changed = sc.override({"description": text, "options.vendor.label": text})
    again = sk.loads(changed.to_yaml())
    assert again == changed
    assert parse_yaml(dump_yaml({"t": [text]}), None) == {"t": [text]} if text.strip() == text else True


# --------------------------------------------------------------------------- keys
def _rekeyed(where: tuple, old: str, new: str, keep: bool = False) -> str:
    doc = copy.deepcopy(DOC)
    node = doc
    for k in where:
        node = node[k]
    node[new] = copy.deepcopy(node[old]) if keep else node.pop(old)
    return dump_yaml(doc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_rekeyed(("teams",), "engineers", "engineers ", keep=True),
         "teams: key 'engineers ' must not have whitespace around it and differs from key 'engineers' only by it"),
        (_rekeyed(("options",), "vendor", " vendor"), "options: key ' vendor' must not have whitespace around it"),
        (_rekeyed((), "name", "name\t", keep=True), "unknown key 'name\\t' (did you mean 'name'?)"),
        (_rekeyed(("teams", "engineers"), "staff", "staff ", keep=True),
         "teams.engineers.'staff ': unknown key 'staff ' (did you mean 'staff'?)"),
    ],
)
def test_keys_with_whitespace_are_refused_with_their_path(text: str, expected: str) -> None:
    with pytest.raises(sk.ScenarioError) as info:
        sk.loads(text, source="k.yaml")
    assert expected in str(info.value), str(info.value)


@pytest.mark.parametrize("section", ["teams", "vendors", "options", "calendars", "workload.kinds"])
def test_keys_with_whitespace_are_refused_from_python_and_set(section: str) -> None:
    sc = sk.load(HELPDESK)
    first = next(iter(sc.to_dict()[section] if "." not in section else sc.to_dict()["workload"]["kinds"]))
    with pytest.raises(sk.ScenarioError, match=f"key '{first} ' must not have whitespace around it and differs "
                                               f"from key '{first}' only by it"):
        sc.override({f"{section}.{first} ": {}})


# --------------------------------------------------------------------------- files
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            sk.load(fifo)
        except BaseException as err:  # noqa: BLE001 - the test inspects it
            outcome.append(err)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # unblock the reader so that the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO hung")
    assert isinstance(outcome[0], sk.ScenarioError), outcome
    assert "is not a regular file" in str(outcome[0])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused_unread(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(sk.ScenarioError, match="is not a regular file"):
        sk.load(device)


def test_a_symlink_to_a_regular_file_is_read_and_a_folder_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(HELPDESK)
    assert sk.load(link) == sk.load(HELPDESK)
    with pytest.raises(sk.ScenarioError, match="is a folder"):
        sk.load(tmp_path)
    with pytest.raises(sk.ScenarioError, match="no such file"):
        sk.load(tmp_path / "missing.yaml")


def test_reading_stops_at_the_cap(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    f.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(sk.ScenarioError, match="may have at most 1,000,000"):
        read_file(f)
    f.write_bytes(b"#" * MAX_FILE_BYTES)
    assert len(read_file(f)) == MAX_FILE_BYTES


# --------------------------------------------------------------------------- messages
HOSTILE_TEXT = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(["a\nb", "a\rb", "x\u2028y", "x\u2029y", "\x1b[31mred", "\u202eevil", "k" * 100_000,
                     "new\nline " * 5000, "'\"", "\t"]),
)


def _assert_one_short_line(err: Exception) -> None:
    """One line; what comes from the input is quoted and shortened, so the message without the schema's own list
    of allowed keys (up to ~330 characters for a vendor) stays under 300 characters."""
    msg = str(err)
    for bad in ("\n", "\r", "\u2028", "\u2029", "\x1b", "\u202e"):
        assert bad not in msg, msg
    assert len(msg.split("; allowed: ")[0]) < 300 and len(msg) < 650, (len(msg), msg[:700])


@FAST
@given(key=HOSTILE_TEXT, where=st.sampled_from(["top", "teams", "team", "vendor", "kinds", "run"]))
def test_hostile_keys_give_one_short_line(key: str, where: str) -> None:
    doc = copy.deepcopy(DOC)
    target = {"top": doc, "teams": doc["teams"], "team": doc["teams"]["engineers"],
              "vendor": doc["vendors"]["msp"], "kinds": doc["workload"]["kinds"], "run": doc["run"]}[where]
    if key in target:
        return
    target[key] = 1
    with pytest.raises(sk.ScenarioError) as info:
        sk.loads(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), source="s.yaml")
    _assert_one_short_line(info.value)
    with pytest.raises(sk.ScenarioError) as info:  # and as a dotted path of an override
        sk.load(HELPDESK).override({f"teams.{key}.staff": 1})
    _assert_one_short_line(info.value)


@FAST
@given(value=HOSTILE_TEXT, path=st.sampled_from([("name",), ("run", "currency"), ("teams", "engineers", "staff"),
                                                 ("workload", "kinds", "incident", "effort_h"),
                                                 ("options", "vendor", "team"), ("baseline",)]))
def test_hostile_values_give_one_short_line(value: str, path: tuple) -> None:
    try:
        loads_with(path, value)
    except sk.ScenarioError as err:
        _assert_one_short_line(err)


@pytest.mark.parametrize("text", ["1e3", "0o17", "0x1F", "yes", "010", "8:00", "null", "~", ".nan", "<<", "1_000"])
def test_text_that_looks_like_a_number_is_quoted_when_written(text: str) -> None:
    sc = sk.load(HELPDESK).override({"options.vendor.label": text, "description": text})
    again = sk.loads(sc.to_yaml())
    assert again.options["vendor"].label == text and again.description == text


def test_a_failed_replication_names_a_hostile_scenario_on_one_line() -> None:
    from simkit.experiment.replication import ReplicationError

    sc = sk.load(HELPDESK).override({"name": "two\nlines\u2028and " + "x" * 150})
    msg = str(ReplicationError(sc, 0, 1, RuntimeError("boom\nagain")))
    assert "\n" not in msg and "\u2028" not in msg and len(msg) < 400, msg
