"""Machines (controller fingerprints), GPUs with driver, CUDA and cuDNN, and framework versions."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from reports.fmt import esc, is_num, num, table
from reports.tables import blas_text, version_text
from reports.view import Section, View


def _machine_cell(key: str, value) -> str:
    if key == "cpu_flags" and value:
        flags = str(value).split()
        return f"<details><summary>{len(flags)} flags</summary>{esc(' '.join(flags))}</details>"
    if key == "gpus" and isinstance(value, list):
        return esc("; ".join(", ".join(f"{k} {v}" for k, v in g.items()) for g in value) or "none")
    return esc("—" if value is None else value)


def machines_table(records: list[dict]) -> str:
    """One row per machine fingerprint (the latest record's facts), with the runs and commits on it."""
    seen: dict[str, dict] = {}
    runs: dict[str, set] = defaultdict(set)
    commits: dict[str, set] = defaultdict(set)
    for r in records:
        key = r["machine_id"]
        seen[key] = r["machine"]
        runs[key].add(r["run_id"])
        if r["commit"].get("id"):
            commits[key].add(str(r["commit"]["id"])[:10] + (" (dirty)" if r["commit"].get("dirty") else ""))
    if not seen:
        return ""
    first = ["id", "hostname", "cpu", "cores", "memory_gb", "gpus", "python", "platform"]
    keys = first + sorted({k for m in seen.values() for k in m} - set(first))
    rows = [
        "<tr>"
        + "".join(f"<td>{_machine_cell(k, m.get(k))}</td>" for k in keys)
        + f"<td>{esc(', '.join(sorted(runs[key])))}</td><td>{esc(', '.join(sorted(commits[key])) or '—')}</td></tr>"
        for key, m in seen.items()
    ]
    return table([*(esc(k) for k in keys), "runs", "dlparity commits"], rows, "compact")


def versions_table(records: list[dict]) -> str:
    rows: dict[tuple, dict] = {}
    for r in records:
        v, w = r["version"], r["worker"]
        env = (
            f"python {w.get('python_version', '?')}, {w['packages_count']} packages {w['packages_hash']}"
            if w.get("packages_hash")
            else str(w.get("python", "—"))
        )
        key = (r["framework"], json.dumps(v, sort_keys=True, default=str), r["machine_id"], env)
        row = rows.setdefault(key, {"rec": r, "rss": [], "runs": set()})
        if is_num(w.get("peak_rss_mb")):
            row["rss"].append(w["peak_rss_mb"])
        row["runs"].add(r["run_id"])
        if w and not row["rec"]["worker"]:
            row["rec"] = r
    known = {fw for (fw, v, _, _) in rows if v != "{}"}
    out = []
    for (fw, v, machine, env), row in sorted(rows.items()):
        if v == "{}" and fw in known:
            continue  # records written before that worker reported its version
        r = row["rec"]
        devices = r["version"].get("devices")
        out.append(
            f'<tr><th class="row">{esc(fw)}</th><td>{esc(version_text(r["version"]))}</td>'
            f"<td>{esc(', '.join(map(str, devices)) if isinstance(devices, list) else devices or '—')}</td>"
            f"<td>{esc(r['worker'].get('python', '—'))}</td><td>{esc(env)}</td>"
            f"<td>{esc(r['worker'].get('numpy', '—'))}</td><td>{esc(blas_text(r['worker'].get('blas')))}</td>"
            f"<td>{num(max(row['rss'])) if row['rss'] else '—'}</td><td>{esc(machine)}</td>"
            f"<td>{esc(', '.join(sorted(row['runs'])))}</td></tr>"
        )
    head = ["framework", "version", "devices", "worker python", "environment (environments.jsonl)", "numpy", "BLAS",
            "peak RSS MB", "machine", "runs"]  # fmt: skip
    return table(head, out, "compact")


GPU_KEY = re.compile(r"gpu|cuda|cudnn|driver|nvidia|rocm|hip", re.I)


GPU_DEVICE = re.compile(r"gpu|cuda|rocm", re.I)


def cudnn_text(value) -> str:
    """cuDNN's integer version (torch: 90100, 8902) decoded beside it; other values as they are."""
    if is_num(value) and int(value) == value and value >= 1000:
        v = int(value)
        major, rest = (v // 10000, v % 10000) if v >= 10000 else (v // 1000, v % 1000)
        return f"{v} ({major}.{rest // 100}.{rest % 100})"
    return str(value)


def gpu_rows(records: list[dict]) -> list[dict]:
    """GPU details the records carry: GPU devices a framework reported, its CUDA / cuDNN / driver
    versions, and GPU settings of the controller (CUDA_VISIBLE_DEVICES, ...); one entry per
    framework x version x host."""
    out: dict[tuple, dict] = {}
    for r in records:
        v, m = r["version"], r["machine"]
        devices = v.get("devices")
        gpus = [str(d) for d in devices if GPU_DEVICE.search(str(d))] if isinstance(devices, list) else []
        vkeys = {k: val for k, val in v.items() if k != "devices" and GPU_KEY.search(k) and val not in (None, "", [])}
        mkeys = {k: val for k, val in m.items() if GPU_KEY.search(k) and val not in (None, "", [])}
        if not (gpus or vkeys or mkeys):
            continue
        host = str(m.get("hostname", "?"))
        key = (r["framework"], json.dumps(v, sort_keys=True, default=str), host, json.dumps(mkeys, sort_keys=True))
        row = out.setdefault(
            key,
            {"framework": r["framework"], "host": host, "gpus": gpus, "version": vkeys, "machine": mkeys, "on": set()},
        )
        row["on"].add(r["device"])
    return [out[k] for k in sorted(out)]


def gpu_summary(records: list[dict]) -> str:
    """One line for the summary: the GPUs seen, or "no GPU"."""
    rows = gpu_rows(records)
    if not rows:
        return "no GPU (no record carries a GPU device, CUDA, cuDNN or driver version, or CUDA_VISIBLE_DEVICES)"
    parts = []
    for row in rows:
        bits = [", ".join(row["gpus"]) or "no GPU device listed"]
        if row["version"].get("cuda"):
            bits.append(f"CUDA {row['version']['cuda']}")
        if row["version"].get("cudnn"):
            bits.append(f"cuDNN {cudnn_text(row['version']['cudnn'])}")
        parts.append(f"{row['framework']}: {', '.join(bits)}")
    return "; ".join(parts)


def gpu_table(records: list[dict]) -> str:
    rows = gpu_rows(records)
    if not rows:
        return (
            '<p class="nogpu">no GPU: no record carries a GPU device, a CUDA, cuDNN or driver version, or '
            "CUDA_VISIBLE_DEVICES; every measurement here ran on the CPU.</p>"
            if all(r["device"] != "gpu" for r in records)
            else '<p class="nogpu">no GPU details: the records name no GPU device, CUDA, cuDNN or driver version.</p>'
        )
    out = []
    for row in rows:
        v = dict(row["version"])
        cuda, cudnn = v.pop("cuda", None), v.pop("cudnn", None)
        driver = [f"{k} {val}" for k, val in {**v, **row["machine"]}.items() if "driver" in k.lower()]
        other = [f"{k} {val}" for k, val in v.items() if "driver" not in k.lower()]
        other += [f"{k}={val}" for k, val in row["machine"].items() if "driver" not in k.lower()]
        out.append(
            f'<tr class="gpu"><th class="row">{esc(row["framework"])}</th><td>{esc(row["host"])}</td>'
            f"<td>{esc(', '.join(row['gpus']) or '—')}</td><td>{esc('—' if cuda is None else cuda)}</td>"
            f"<td>{esc('—' if cudnn is None else cudnn_text(cudnn))}</td><td>{esc('; '.join(driver) or '—')}</td>"
            f"<td>{esc('; '.join(other) or '—')}</td><td>{esc(', '.join(sorted(row['on'])))}</td></tr>"
        )
    head = ["framework", "host", "GPU devices (as the framework lists them)", "CUDA", "cuDNN", "driver", "other",
            "record devices"]  # fmt: skip
    return table(head, out, "compact gpus")


def render(view: View) -> str:
    """Every record read for the machines (each run's fingerprint), the latest for GPUs and versions."""
    return (
        f"<h3>Machines (controller; every record read)</h3>{machines_table(view.loaded.records)}"
        f"<h3>GPU, driver, CUDA and cuDNN</h3>{gpu_table(view.records)}"
        f"<h3>Framework versions (worker)</h3>{versions_table(view.records)}"
    )


SECTION = Section("machines", "Machines and versions", render)
