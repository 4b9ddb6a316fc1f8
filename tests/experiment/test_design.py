"""Levers files and sweep manifests are read as strictly as scenarios: nothing dropped, misspelt or ignored."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from conftest import SCENARIOS

import simkit as sk
from simkit.experiment.design import levers_from_dict, load_levers, resolve_levers
from simkit.experiment.store import SetAsideWarning, SweepStore
from simkit.ui.controls import controls_from

HELPDESK = sk.load(SCENARIOS / "startup_it_helpdesk.yaml")
PRICE = "  price: {path: vendors.msp.price_per_item, low: 10, high: 30, n: 3}\n"


def _file(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "levers.yaml"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("levers:\n" + PRICE + PRICE, "key 'price' appears twice (line 3), first on line 2"),
        ("levers:\n" + PRICE + "uncertainty:\n  volume: {path: workload.rate_per_hour, low: 1, high: 2}\n",
         "uncertainty: unknown section 'uncertainty' (did you mean 'uncertainties'?); a levers file has only "
         "levers: and uncertainties:"),
        ("lever:\n" + PRICE, "did you mean 'levers'?"),
        ("levers:\n" + PRICE + "notes: 3\n", "unknown section 'notes'"),
        ("levers:\n  seed: {path: run.seed, low: 1, high: 9}\n", "run.seed has no effect as a lever"),
        ("levers:\n  reps: {path: run.replications, values: [5, 10]}\n", "run.replications has no effect"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: 10, high: 30, n: true}\n",
         "must be numbers, got true"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: '10', high: 30}\n", "must be numbers, got '10'"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: 10, high: 8:00}\n", "got '8:00'"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: 10, high: 30, n: 2.5}\n",
         "n must be a whole number, got 2.5"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: 1, high: 2, n: 1000000000}\n",
         "n must be a whole number from 1 to 100,000"),
        ("levers:\n  price: {path: vendors.msp.price_per_item, low: 10, hgih: 30}\n",
         "unknown key 'hgih' (did you mean 'high'?)"),
        ('levers:\n  "price ": {path: vendors.msp.price_per_item, low: 10, high: 30}\n',
         "must not have whitespace around it"),
        ("levers:\n  p: {path: [a], low: 1, high: 2}\n", "path must be a dotted path"),
        ("levers: &a\n  p: *a\n", "anchors and aliases"),
        ("levers:\n  p: " + "{x: " * 3000 + "1" + "}" * 3000 + "\n", "nest"),
        ("levers: " + "[" * 3000 + "]" * 3000 + "\n", "nest"),
        ("levers:\n  p: " + "{x: " * 40 + "1" + "}" * 40 + "\n", "nested more than 32 levels deep"),
        ("[1, 2]\n", "must be a mapping with levers: and/or uncertainties:, got list"),
    ],
)
def test_bad_levers_files_are_one_line(tmp_path: Path, text: str, expected: str) -> None:
    f = _file(tmp_path, text)
    for read in (load_levers, lambda p: controls_from(HELPDESK, p)):  # the sweep and the dashboard
        with pytest.raises(sk.ScenarioError) as info:
            read(f)
        msg = str(info.value)
        assert expected in msg and msg.startswith(str(f)) and "\n" not in msg, msg


def test_a_good_levers_file_still_loads(tmp_path: Path) -> None:
    f = _file(tmp_path, "levers:\n" + PRICE + "uncertainties:\n  volume: {path: workload.rate_per_hour, "
                                              "values: [0.5, 0.8, 1e0]}\n")
    price, volume = load_levers(f)
    assert (price.path, price.n, volume.values) == ("vendors.msp.price_per_item", 3, (0.5, 0.8, 1.0))


def test_levers_that_a_sweep_overrides_are_refused_from_code_and_the_command_line() -> None:
    for path in ("run.seed", "run.replications"):
        with pytest.raises(sk.ScenarioError, match="has no effect as a lever"):
            resolve_levers(HELPDESK, [sk.Lever(path, 1, 5)])
    with pytest.raises(sk.ScenarioError, match="has no effect"):
        levers_from_dict({"uncertainties": {"s": {"path": "run.seed", "values": [1, 2]}}})


def test_a_fifo_or_device_as_levers_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(sk.ScenarioError, match="is not a regular file"):
        load_levers("/dev/zero")
    fifo = tmp_path / "levers.yaml"
    os.mkfifo(fifo)
    caught: list[BaseException] = []
    worker = threading.Thread(target=lambda: caught.append(pytest.raises(sk.ScenarioError, load_levers, fifo).value),
                              daemon=True)
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO levers file hung")
    assert "is not a regular file" in str(caught[0])


@pytest.mark.parametrize("manifest", ["[1, 2]", "\"text\"", "{not json", "[" * 5000 + "]" * 5000, "\xff"])
def test_a_damaged_manifest_of_an_older_layout_is_set_aside_not_read(tmp_path: Path, manifest: str) -> None:
    """Parts folders hold one sub-folder per sweep key; a stray manifest beside them is never parsed: it is
    moved to a dated backup folder with a one-line note, and the sweep goes on."""
    parts = tmp_path / ".s.parquet.parts"
    parts.mkdir()
    (parts / "manifest.json").write_bytes(manifest.encode("utf-8", "surrogateescape") if manifest != "\xff"
                                          else b"\xff")
    with pytest.warns(SetAsideWarning) as caught:
        store = SweepStore(tmp_path / "s.parquet", "key" * 8)
    assert "\n" not in str(caught[0].message)
    assert not (parts / "manifest.json").exists() and store.finished().empty
    backups = list(tmp_path.glob("s.parquet.backup-*"))
    assert len(backups) == 1 and (backups[0] / "manifest.json").exists()


def test_a_fifo_in_the_parts_folder_does_not_hang_the_sweep(tmp_path: Path) -> None:
    parts = tmp_path / ".s.parquet.parts"
    (parts / ("key" * 8)[:16]).mkdir(parents=True)
    os.mkfifo(parts / "manifest.json")
    os.mkfifo(parts / ("key" * 8)[:16] / "manifest.json")
    store = SweepStore(tmp_path / "s.parquet", "key" * 8)  # returns: nothing is opened for reading
    assert store.finished().empty
    assert json  # the manifest is JSON when it is whole
