"""Hostile scenario files: every mutation of a valid scenario ends in one clear error or in a valid run.

The valid archetypes in ``scenarios/`` are mutated by hypothesis — wrong types, negative, NaN, infinite
and huge numbers, deleted and unknown keys, misspelt keys, wrong nesting, duplicate keys, truncation,
stray bytes, other encodings — and each result must either

* raise :class:`simkit.ScenarioError` with a one-line message that starts with the file name, names
  the field path when the fault is in a field, and says what is allowed; or
* load as a valid scenario, which then runs (a few days, one replication) to finite KPIs.

Never any other exception.  Separate tests cover files crafted to hurt the parser (alias bombs, deep
nesting, huge files), valid-but-absurd sizes (the pre-flight cap), and the command line.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import simkit as sk
from simkit.scenario import preflight as checks
from simkit.scenario.model import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

FILES = sorted(SCENARIOS.glob("*.yaml"))
TEXTS = {f.name: f.read_text(encoding="utf-8") for f in FILES}
DOCS = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
SOURCE = "mutant.yaml"
# sections whose keys the user names (a new key there is a new team, vendor, ... not a typo)
NAMED = {("calendars",), ("teams",), ("vendors",), ("options",), ("workload", "kinds")}
# words by which a message says what is allowed or what is wrong
ALLOWED = re.compile(r"must|allowed|unknown|required|needs?|takes|cannot|expected|should|only|at most|"
                     r"at least|may have|twice|not used|did you mean|defined:|differ|is empty|not valid|"
                     r"nested|applies")
TOP_LEVEL = set(sk.Scenario.model_fields)


# --------------------------------------------------------------------------- helpers
def short_run(sc: sk.Scenario, max_items: float = 1500.0) -> None:
    """Run a valid scenario briefly (<= 3 days, 1 replication, few items); every KPI must be finite."""
    horizon = min(sc.run.horizon_days, 3.0)
    sc = sc.override({"run.horizon_days": horizon, "run.warmup_days": min(sc.run.warmup_days, horizon / 2)})
    n = checks.expected_items(sc)
    if n > max_items:  # scale every arrival stream down to keep the test fast; validity is what is tested
        factor = max_items / n
        changes: dict[str, Any] = {"workload.rate_per_hour": sc.workload.rate_per_hour * factor}
        for name, vendor in sc.vendors.items():
            if getattr(vendor, "shared", None) is not None:
                changes[f"vendors.{name}.shared.background_rate_per_hour"] = (
                    vendor.shared.background_rate_per_hour * factor)
        sc = sc.override(changes)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", checks.CapacityWarning)
        res = sk.simulate(sc, replications=1, seed=3, executor=None)
    values = res.kpis.drop(columns=["option"]).to_numpy(dtype=float)
    assert np.isfinite(values).all(), res.kpis.T
    assert len(res.kpis) == len(sc.options)


def outcome(text: str | bytes) -> sk.ScenarioError | None:
    """Load ``text``; return the ScenarioError (checked for form) or ``None`` after a successful short run."""
    try:
        sc = sk.loads(text, source=SOURCE)
    except sk.ScenarioError as err:
        assert str(err).startswith(f"{SOURCE}: "), str(err)
        _check_message(err)
        _note("error")
        return err
    try:
        short_run(sc)
    except sk.ScenarioError as err:  # valid, but refused before simulating (absurd sizes)
        assert err.path, str(err)
        _check_message(err)
        _note("valid: refused by the pre-flight checks")
        return err
    _note("valid: ran")
    return None


def _check_message(err: sk.ScenarioError) -> None:
    msg = str(err)
    assert "\n" not in msg and "\r" not in msg, msg
    assert len(msg) < 1000, msg
    assert ALLOWED.search(err.message), msg


def _note(what: str) -> None:
    """Count outcomes in hypothesis statistics (``--hypothesis-show-statistics``); no-op outside it."""
    try:
        event(what)
    except InvalidArgument:
        pass


def locations(doc: Any, loc: tuple = ()) -> list[tuple]:
    """Every location (tuple of keys and list indices) inside ``doc``."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for k, v in items:
        out.append((*loc, k))
        out += locations(v, (*loc, k))
    return out


def get(doc: Any, loc: tuple) -> Any:
    for k in loc:
        doc = doc[k]
    return doc


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(doc: Any) -> str:
    return yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=10_000)


def misspell(key: str, how: int, pos: int) -> str:
    """A typo of ``key``: drop, double, swap or change one character."""
    i = pos % len(key)
    if how == 0 and len(key) > 1:
        return key[:i] + key[i + 1:]
    if how == 1:
        return key[:i] + key[i] + key[i:]
    if how == 2 and i + 1 < len(key) and key[i] != key[i + 1]:
        return key[:i] + key[i + 1] + key[i] + key[i + 2:]
    return key[:i] + ("x" if key[i] != "x" else "z") + key[i + 1:]


_JUNK = st.one_of(st.none(), st.floats(), st.text(max_size=3), st.lists(st.integers(), max_size=2),
                 st.integers(min_value=-(2**1100), max_value=2**1100))
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([10**400, -(10**400), 2**63, 1e308, -1e308, 5e-324, 1e5, 1e9]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, -1.0, -1e-9]),
    st.text(max_size=20),
    st.sampled_from(["", " ", "nan", "inf", "-1", "1e999", "0x10", "yes", "mon", "USD", "per_item",
                     "overflow", "lognormal(mean=-1, cv=1)", "weibull(k=2)", "exponential(mean=0)",
                     "exponential(mean=1e308)", "empirical(values=[])", "lognormal(mean=1, cv=1",
                     "__import__('os').system('true')",
                     "!!python/object/apply:os.system ['true']", "\u202eevil", "x" * 5000]),
    st.lists(st.integers(min_value=-2, max_value=30), max_size=30),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
    st.fixed_dictionaries({"dist": st.sampled_from(["lognormal", "empirical", "gamma", "nope", 3]),
                           "mean": _JUNK}),
    st.fixed_dictionaries({"dist": st.just("empirical"), "values": st.lists(_JUNK, max_size=3)}),
)
# SIMKIT_FUZZ_EXAMPLES=2000 pytest tests/hostile/test_hostile.py searches much harder than the default CI budget
SLOW = settings(max_examples=int(os.environ.get("SIMKIT_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- structural mutations
@SLOW
@given(name=st.sampled_from(sorted(DOCS)), data=st.data())
def test_replaced_values_give_a_clear_error_or_a_valid_run(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(DOCS[name])
    loc = data.draw(st.sampled_from(locations(doc)), label="location")
    current = get(doc, loc)
    if isinstance(current, int | float) and not isinstance(current, bool) and data.draw(st.booleans()):
        # a plausible type at an implausible scale: often valid, and then it must run
        value = current * data.draw(st.sampled_from([0, 1e-9, 1e-3, 0.5, 3, 1e3, 1e6]), label="factor")
        value = int(value) if isinstance(current, int) else value
    else:
        value = data.draw(HOSTILE, label="value")
    get(doc, loc[:-1])[loc[-1]] = value
    err = outcome(dump(doc))
    if err is not None:
        assert err.path, str(err)  # a fault in a field names the field
        assert err.path.split(".")[0] in TOP_LEVEL, str(err)


@SLOW
@given(name=st.sampled_from(sorted(DOCS)), data=st.data())
def test_deleted_or_wrongly_nested_values(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(DOCS[name])
    loc = data.draw(st.sampled_from(locations(doc)), label="location")
    parent, key = get(doc, loc[:-1]), loc[-1]
    how = data.draw(st.sampled_from(["delete", "wrap_list", "wrap_map", "hoist", "empty"]), label="how")
    if how == "delete":
        del parent[key]
    elif how == "wrap_list":
        parent[key] = [parent[key]]
    elif how == "wrap_map":
        parent[key] = {"value": parent[key]}
    elif how == "empty":
        parent[key] = {} if isinstance(parent[key], dict) else []
    elif isinstance(parent[key], dict) and parent[key] and isinstance(parent, dict):  # hoist: child goes up
        child_key, child = next(iter(parent[key].items()))
        parent[child_key] = child
    err = outcome(dump(doc))
    if err is not None:
        assert err.path, str(err)
        assert err.path.split(".")[0] in TOP_LEVEL | {str(k) for k in doc}, str(err)


@SLOW
@given(name=st.sampled_from(sorted(DOCS)), data=st.data(), how=st.integers(0, 3), pos=st.integers(0, 50))
def test_misspelt_keys_are_named_with_a_suggestion(name: str, data: st.DataObject, how: int,
                                                   pos: int) -> None:
    doc = copy.deepcopy(DOCS[name])
    in_model = [loc for loc in locations(doc)
                if isinstance(loc[-1], str) and loc[:-1] not in NAMED and isinstance(get(doc, loc[:-1]), dict)
                and len(loc[-1]) >= 4]
    loc = data.draw(st.sampled_from(in_model), label="location")
    parent, key = get(doc, loc[:-1]), loc[-1]
    typo = misspell(key, how, pos)
    if typo in parent or typo == key:
        return
    parent[typo] = parent.pop(key)
    err = outcome(dump(doc))
    assert err is not None, f"{'.'.join(map(str, loc))} -> {typo} was accepted"
    msg = str(err)
    if f"unknown key '{typo}'" in msg:
        assert "did you mean '" in msg, msg
    else:  # the key was required: its absence is reported instead
        assert "is required but missing" in msg or "needs" in msg or "unknown" in msg, msg


@SLOW
@given(name=st.sampled_from(sorted(DOCS)), data=st.data())
def test_unknown_keys_list_what_is_allowed(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(DOCS[name])
    maps = [loc for loc in [(), *locations(doc)] if isinstance(get(doc, loc), dict) and loc not in NAMED]
    loc = data.draw(st.sampled_from(maps), label="section")
    extra = data.draw(st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True), label="key")
    section = get(doc, loc)
    if extra in section or (not loc and extra in TOP_LEVEL):
        return
    section[extra] = 1
    err = outcome(dump(doc))
    assert err is not None
    assert f"unknown key '{extra}'" in str(err) or "unknown field" in str(err), str(err)
    assert "allowed:" in str(err) or "defined:" in str(err), str(err)


# --------------------------------------------------------------------------- text and byte mutations
@SLOW
@given(name=st.sampled_from(sorted(TEXTS)), data=st.data())
def test_damaged_text_and_bytes(name: str, data: st.DataObject) -> None:
    text = TEXTS[name]
    lines = text.splitlines(keepends=True)
    how = data.draw(st.sampled_from(["truncate", "insert_bytes", "duplicate_line", "drop_line", "indent",
                                     "latin1", "utf16", "flip_byte"]), label="how")
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    raw: bytes
    if how == "truncate":
        raw = text.encode()[: data.draw(st.integers(0, len(text.encode())))]
    elif how == "insert_bytes":
        blob = data.draw(st.binary(min_size=1, max_size=8), label="bytes")
        at = data.draw(st.integers(0, len(text.encode())))
        raw = text.encode()[:at] + blob + text.encode()[at:]
    elif how == "duplicate_line":
        raw = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]).encode()
    elif how == "drop_line":
        raw = "".join(lines[:i] + lines[i + 1:]).encode()
    elif how == "indent":
        raw = "".join(lines[:i] + ["   " + lines[i]] + lines[i + 1:]).encode()
    elif how == "latin1":
        raw = (text.replace("description", "déscription", 1)).encode("latin-1", "replace")
    elif how == "utf16":
        raw = text.encode("utf-16")
    else:
        at = data.draw(st.integers(0, len(text.encode()) - 1))
        b = bytearray(text.encode())
        b[at] ^= data.draw(st.integers(1, 255))
        raw = bytes(b)
    outcome(raw)


def test_a_duplicated_section_is_refused_with_its_line() -> None:
    text = TEXTS["startup_it_helpdesk.yaml"]
    err = outcome(text + "\nrun:\n  seed: 1\n")
    assert err is not None and "key 'run' appears twice (line" in str(err)


# --------------------------------------------------------------------------- files crafted to hurt
BOMB = "\n".join(["name: bomb", "a: &a [x, x, x, x, x, x, x, x, x]"]
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
                    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
                    for i in range(9)]) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB, "anchors and aliases (&, *) are not allowed (line 2)"),
        ("name: x\nbase: &b {staff: 1}\n", "anchors and aliases"),
        ("name: x\nteams: {t: {<<: {staff: 1}}}\n", "merge keys (<<) are not allowed"),
        ("name: x\ndescription: " + "[" * 40 + "]" * 40 + "\n", f"nested more than {MAX_DEPTH} levels deep"),
        ("name: x\ndescription: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
        ("name: x\nd: " + "{a: " * 200 + "1" + "}" * 200 + "\n", "nested"),
        ("name: x\ndescription: [" + ", ".join(["1"] * (MAX_VALUES + 1)) + "]\n",
         f"more than {MAX_VALUES:,} values"),
        ("name: !!python/object/apply:os.system ['touch pwned']\n", "not valid YAML"),
        ("name: !!python/name:os.system\n", "not valid YAML"),
        ("---\nname: a\n---\nname: b\n", "not valid YAML"),
        ("name: x\n? [a, b]\n: 1\n", "a mapping key must be text, got a list (line 2)"),
        ("name: x\n\tworkload: 1\n", "not valid YAML"),
        ("name: \x07bell\n", "not valid YAML"),
        ("\ufeff\ufeff", "is empty"),
        ("  \n\t\n", "is empty"),
        ("null\n", "is empty"),
        ("42\n", "must be a mapping of sections"),
        ("'just text'\n", "must be a mapping of sections"),
    ],
)
def test_crafted_files(tmp_path: Path, text: str, expected: str) -> None:
    err = outcome(text)
    assert err is not None and expected in str(err), str(err)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (TEXTS["startup_it_helpdesk.yaml"].encode("utf-16"), "is a binary file"),  # UTF-16 carries NUL bytes
        (TEXTS["startup_it_helpdesk.yaml"].encode("utf-32"), "is a binary file"),
        (b"name: \xff\xfe caf\xe9\n", "is not UTF-8 text (bad byte at offset 6, line 1)"),
        (bytes(range(256)), "is a binary file"),
        (b"\x1f\x8b\x08\x00" + b"\x01" * 20, "is a binary file"),  # a gzip header
    ],
)
def test_binary_and_foreign_encodings(raw: bytes, expected: str) -> None:
    err = outcome(raw)
    assert err is not None and expected in str(err), str(err)


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert outcome("\ufeff" + TEXTS["startup_it_helpdesk.yaml"]) is None


def test_size_cap_for_text_and_files(tmp_path: Path) -> None:
    big = "name: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10)
    err = outcome(big)
    assert err is not None and f"larger than the {MAX_FILE_BYTES:,} bytes" in str(err)
    f = tmp_path / "big.yaml"
    f.write_bytes(big.encode())
    with pytest.raises(sk.ScenarioError, match=r"bytes; a scenario may have at most 1,000,000"):
        sk.load(f)


def test_unreadable_distribution_parameters_name_the_field() -> None:
    doc = copy.deepcopy(DOCS["startup_it_helpdesk.yaml"])
    for bad in ({"dist": "empirical", "values": [[1]]}, {"dist": "empirical", "values": [None]},
                {"dist": "lognormal", 1: 2}, {"dist": "empirical", "values": {"a": 1}},
                {"dist": "empirical", "values": ["abc"]}, 10**400):
        doc["workload"]["kinds"]["incident"]["effort_h"] = bad
        err = outcome(dump(doc))
        assert err is not None and err.path == "workload.kinds.incident.effort_h", (bad, str(err))


def test_errors_survive_a_process_boundary() -> None:
    import pickle

    err = sk.ScenarioError("run.seed", "must be >= 0, got -1", "a.yaml")
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.message, again.source) == (err.path, err.message, err.source)
    assert str(again) == str(err)


# --------------------------------------------------------------------------- valid but absurd
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"workload.rate_per_hour": 1e5, "run.horizon_days": 36525}, "items per replication are expected"),
        ({"workload.rate_per_hour": 1e5, "workload.growth_annual": 10, "run.horizon_days": 36525},
         "items per replication are expected"),
        ({"workload.rate_per_hour": 0.05, "run.horizon_days": 36525, "workload.growth_annual": 0,
          "workload.day_of_week": None, "workload.hour_of_day": [1000] + [0] * 23},
         "candidate arrivals"),  # 1.8 million items, but a peak 24 times the mean
    ],
)
def test_absurd_sizes_are_refused_before_anything_is_simulated(changes: dict, expected: str) -> None:
    sc = sk.load(SCENARIOS / "startup_it_helpdesk.yaml").override(changes)
    with pytest.raises(sk.ScenarioError, match=expected) as info:
        sk.simulate(sc, replications=2, executor=None)
    assert "at most" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(sk.ScenarioError, match=expected):  # the replication-level entry point too
        sk.run_replication(sc, 0, seed=1)


def test_the_size_estimate_matches_the_generated_trace() -> None:
    sc = sk.load(SCENARIOS / "startup_it_helpdesk.yaml").override({"run.horizon_days": 28})
    n = [len(sk.run_replication(sc, r, seed=11, options=[sc.baseline_option]).trace) for r in range(8)]
    expected = checks.expected_items(sc)
    # 8 Poisson counts: their mean lies within 4 standard errors of the expectation
    assert abs(np.mean(n) - expected) < 4 * math.sqrt(expected / 8), (n, expected)


# --------------------------------------------------------------------------- the command line
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simkit.ui.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_cli_prints_one_line_and_exits_2_on_hostile_files(tmp_path: Path) -> None:
    help_doc = copy.deepcopy(DOCS["startup_it_helpdesk.yaml"])
    help_doc["vendors"]["msp"]["pricee_per_item"] = help_doc["vendors"]["msp"].pop("price_per_item")
    season = copy.deepcopy(DOCS["seasonal_customer_service.yaml"])
    season["workload"]["rate_per_hour"] = math.nan
    cases = {
        "typo.yaml": (dump(help_doc).encode(), "did you mean 'price_per_item'"),
        "nan.yaml": (dump(season).encode(), "workload.rate_per_hour: must be a finite number"),
        "bomb.yaml": (BOMB.encode(), "anchors and aliases"),
    }
    (tmp_path / "in").mkdir()
    for fname, (raw, expected) in cases.items():
        (tmp_path / "in" / fname).write_bytes(raw)
        p = _cli("validate", str(tmp_path / "in" / fname), cwd=tmp_path)
        assert p.returncode == 2, (fname, p.stdout, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
        assert expected in lines[0] and fname in lines[0], lines[0]
    out = tmp_path / "out" / "kpis.csv"
    p = _cli("run", str(SCENARIOS / "startup_it_helpdesk.yaml"), "--set", "workload.rate_per_hour=100000",
             "--set", "run.horizon_days=36525", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert f"at most {checks.MAX_ITEMS_PER_REPLICATION:,}" in p.stderr
    assert not (tmp_path / "out").exists(), "nothing may be written when the run is refused"


# --------------------------------------------------------------------------- corrupt results files
HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
SPACE = {"vendors.msp.price_per_item": [20, 40]}


def _sweep_args(out: Path) -> list[str]:
    return ["sweep", HELPDESK, "-n", "2", "--seed", "3", "--set", "run.horizon_days=7", "--quiet",
            "--vary", "vendors.msp.price_per_item=20:40:2", "--out", str(out)]


def _sweep(out: Path):  # noqa: ANN202
    from simkit.experiment.sweep import sweep

    sc = sk.load(HELPDESK).override({"run.horizon_days": 7})
    return sweep(sc, SPACE, replications=2, seed=3, executor=None, progress=False, out=out)


def test_a_corrupt_finished_sweep_file_is_recomputed_not_trusted(tmp_path: Path) -> None:
    first = _sweep(tmp_path / "s.parquet")
    (tmp_path / "s.parquet").write_bytes(b"PAR1 not really a parquet file")
    again = _sweep(tmp_path / "s.parquet")
    assert again.meta["reused"] == 0 and again.meta["computed"] == first.meta["computed"]
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(again.frame, first.frame)


def test_a_corrupt_part_of_an_interrupted_sweep_is_one_clear_line(tmp_path: Path) -> None:
    from simkit.experiment.store import read_meta

    out = tmp_path / "s.parquet"
    key = _sweep(out).meta["sweep_key"]
    assert read_meta(out)["sweep_key"] == key
    out.unlink()
    parts = tmp_path / ".s.parquet.parts" / key[:16]
    parts.mkdir(parents=True)
    (parts / "manifest.json").write_text(json.dumps({"key": key, "out": out.name}), encoding="utf-8")
    torn = parts / "part-00000000000000000001-1-000001.parquet"
    torn.write_bytes(b"PAR1\x00 torn")
    with pytest.raises(ValueError, match="corrupt") as info:  # the API names the file ...
        _sweep(out)
    assert torn.name in str(info.value)
    p = _cli(*_sweep_args(out), cwd=tmp_path)  # ... and the CLI says so in one line, exit 2
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert torn.name in p.stderr and "Traceback" not in p.stderr
