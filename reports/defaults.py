"""Framework defaults: what each framework does when the spec is not looked at (suites/parity/test_defaults.py).

Four tables, one row per framework: the default initialiser per layer type (identified by KS tests
against the usual formulas), the layer defaults measured by probes, the spec's initialisers as
the framework's own functions, and gradient state at evaluation with the layouts compared.
"""

from __future__ import annotations

from reports.fmt import esc, sci, shorten, table
from reports.view import Section, View

CHECKS = ("default_initializers", "layer_defaults", "spec_initializers", "no_gradient_state_at_eval", "layouts_agree")


def _by_framework(records: list[dict], check: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        if r.get("kind") == "parity" and r.get("check") == check:
            out.setdefault(r["framework"], []).append(r)
    return out


def _table(head: list[str], rows: list[str]) -> str:
    return table([esc(h) for h in head], rows, "compact defaults")


def _cell(cls: str, main: str, sub: str = "", sub_cls: str = "fig") -> str:
    """A table cell: ``main`` text (escaped) and a small line below it."""
    below = f'<div class="{sub_cls}">{esc(sub)}</div>' if sub else ""
    return f'<td class="cell {esc(cls)}">{esc(main)}{below}</td>'


def _skip_cell(recs: list[dict], span: int) -> str | None:
    """A row-wide cell when no record of the framework passed: its outcome and reason."""
    if any(r["outcome"] == "passed" for r in recs):
        return None
    r = recs[0]
    text = esc(f"{r['outcome']}: {shorten(r['reason'] or '', 300)}")
    return f'<td colspan="{span}" class="cell {esc(r["outcome"])}"><span class="reason">{text}</span></td>'


def _identified(entries: list[dict]) -> str:
    """One cell from the identifications of several tensors of one layer type (all tasks): the names no
    tensor rejected (KS, alpha 1e-6), the best-fitting first, with the largest tensor's formula."""
    entries = [e for e in entries if e]
    if not entries:
        return '<td class="none">—</td>'
    names = [e.get("name") for e in entries]
    if (
        all(n in ("zeros", "no bias by default") or str(n).startswith("constant") for n in names)
        and len(set(names)) == 1
    ):
        return f'<td class="cell"><span class="main">{esc(names[0])}</span></td>'
    common = None
    for e in entries:
        found = set(e.get("not_rejected") or [])
        common = found if common is None else common & found
    biggest = max(entries, key=lambda e: e.get("n", 0) or 0)
    order = [n for n in (biggest.get("not_rejected") or []) if n in (common or set())]
    main = order[0] if order else "unidentified"
    also = f' <span class="sub">(also fits: {esc(", ".join(order[1:]))})</span>' if len(order) > 1 else ""
    spread = sorted({n for n in names})
    if order:
        formula = (biggest.get("formulas") or {}).get(main, biggest.get("formula", ""))
        p = (biggest.get("p_values") or {}).get(main, biggest.get("p"))
        detail = f"{formula} (largest tensor; KS p={sci(p)})"
    else:
        detail = f"per tensor: {', '.join(map(str, spread))}"
    return f'<td class="cell"><span class="main">{esc(main)}</span>{also}<div class="fig">{esc(detail)}</div></td>'


def initializers_table(records: list[dict]) -> str:
    groups = _by_framework(records, "default_initializers")
    if not groups:
        return '<p class="muted">No default-initialiser records.</p>'
    rows = []
    for fw, recs in sorted(groups.items()):
        skipped = _skip_cell(recs, 5)
        if skipped:
            rows.append(f'<tr><th class="row">{esc(fw)}</th>{skipped}</tr>')
            continue
        kinds: dict[tuple[str, str], list[dict]] = {}
        built: dict[str, str] = {}
        for r in recs:
            if r["outcome"] != "passed":
                continue
            for layer in (r["figures"].get("default_init") or {}).values():
                n = (layer.get("fan_in") or 0) * (layer.get("fan_out") or 0)
                kinds.setdefault((layer["type"], "weight"), []).append({**layer["weight"], "n": n})
                kinds.setdefault((layer["type"], "bias"), []).append({**layer["bias"], "n": n})
                built.setdefault(layer["type"], layer.get("built", ""))
        cells = "".join(_identified(kinds.get((t, p), [])) for t in ("conv2d", "dense") for p in ("weight", "bias"))
        how = "; ".join(f"{v}" for v in built.values() if v)
        rows.append(f'<tr><th class="row">{esc(fw)}</th>{cells}<td class="sub">{esc(how)}</td></tr>')
    return _table(["framework", "conv2d kernel", "conv2d bias", "dense kernel", "dense bias", "built as (e.g.)"], rows)


LAYER_KEYS = [
    ("conv_kernel_3", "conv kernel given 3"),
    ("conv_padding", "conv padding"),
    ("conv_activation", "conv activation"),
    ("conv_bias", "conv bias"),
    ("dense_bias", "dense bias"),
    ("pool_stride", "pool stride (size 2)"),
    ("pool_padding", "pool padding / rounding"),
]


def layer_defaults_table(records: list[dict]) -> str:
    groups = _by_framework(records, "layer_defaults")
    if not groups:
        return '<p class="muted">No layer-default records.</p>'
    rows = []
    for fw, recs in sorted(groups.items()):
        skipped = _skip_cell(recs, len(LAYER_KEYS) + 1)
        if skipped:
            rows.append(f'<tr><th class="row">{esc(fw)}</th>{skipped}</tr>')
            continue
        d = next(r for r in recs if r["outcome"] == "passed")["figures"].get("layer_defaults") or {}
        cells = []
        for key, _ in LAYER_KEYS:
            if key not in d:
                cells.append('<td class="none">—</td>')
                continue
            value = d[key]
            text = "none" if value is None else ("×".join(map(str, value)) if isinstance(value, list) else str(value))
            cells.append(f'<td class="cell">{esc(text)}</td>')
        how = "; ".join(str(v) for v in (d.get("how") or {}).values())
        rows.append(f'<tr><th class="row">{esc(fw)}</th>{"".join(cells)}<td class="sub">{esc(how)}</td></tr>')
    return _table(["framework", *(label for _, label in LAYER_KEYS), "probed with"], rows)


def spec_init_table(records: list[dict]) -> str:
    groups = _by_framework(records, "spec_initializers")
    if not groups:
        return '<p class="muted">No spec-initialiser records.</p>'
    rows = []
    for fw, recs in sorted(groups.items()):
        skipped = _skip_cell(recs, 3)
        if skipped:
            rows.append(f'<tr><th class="row">{esc(fw)}</th>{skipped}</tr>')
            continue
        inits = next((r["figures"].get("initializers") for r in recs if r["figures"].get("initializers")), {}) or {}
        funcs = "<br>".join(f"{esc(k)}: <code>{esc(v)}</code>" for k, v in inits.items() if k != "uniform_small")
        outcomes = ", ".join(f"{r['task']} {r['outcome']}" for r in sorted(recs, key=lambda r: r["task"]))
        failed = [r for r in recs if r["outcome"] == "failed"]
        reason = f'<div class="reason">{esc(shorten(failed[0]["reason"], 300))}</div>' if failed else ""
        glorot = [
            v
            for r in recs
            for k, v in (r["figures"] or {}).items()
            if k.startswith("glorot_uniform:") and isinstance(v, dict) and v.get("bound")
        ]
        worst = min((v["max_abs"] / v["bound"] for v in glorot), default=None)
        fig = f"max |w| / Glorot bound ≥ {worst:.4f} over {len(glorot)} kernels" if worst is not None else ""
        rows.append(
            f'<tr><th class="row">{esc(fw)}</th><td class="cell">{funcs}</td>'
            f'<td class="cell {"failed" if failed else "ok"}">{esc(outcomes)}{reason}</td>'
            f'<td class="sub">{esc(fig)}</td></tr>'
        )
    return _table(["framework", "the spec's initialisers as the framework's own", "statistical check", "figures"], rows)


def _state_text(state: dict) -> str:
    keep = {k: v for k, v in state.items() if k not in ("how", "calls")}
    calls = state.get("calls") or []
    if calls:
        keep["during forward"] = calls[0]
    return ", ".join(f"{k}={v}" for k, v in keep.items())


def eval_and_layout_table(records: list[dict]) -> str:
    grads, layouts = _by_framework(records, "no_gradient_state_at_eval"), _by_framework(records, "layouts_agree")
    if not grads and not layouts:
        return '<p class="muted">No gradient-state or layout records.</p>'
    rows = []
    for fw in sorted(set(grads) | set(layouts)):
        g = grads.get(fw, [])
        passed = [r for r in g if r["outcome"] == "passed"]
        if passed:
            state = passed[0]["figures"].get("eval_grad_state") or {}
            gcell = _cell("ok", "no gradient state", f"{state.get('how', '')}: {shorten(_state_text(state), 240)}")
        elif g:
            gcell = _cell(g[0]["outcome"], g[0]["outcome"], shorten(g[0]["reason"], 240), "reason")
        else:
            gcell = '<td class="none">—</td>'
        lay = layouts.get(fw, [])
        # a run (passed/failed) first, then a skip that is about layouts rather than about the task
        image = sorted(lay, key=lambda r: (r["outcome"] == "skipped", "not an image task" in (r["reason"] or "")))
        if image and image[0]["outcome"] == "passed":
            f = image[0]["figures"]
            names = f.get("layouts") or []
            diffs = [
                f"{k.replace('_vs_', ' vs ')}: max abs {sci(v.get('max_abs_err'))}"
                for k, v in f.items()
                if "_vs_" in k and "reference" not in k and isinstance(v, dict)
            ]
            lcell = _cell("ok", " and ".join(names) + " agree", "; ".join(diffs))
        elif image:
            r = image[0]
            lcell = _cell(r["outcome"], r["outcome"], shorten(r["reason"], 240), "reason")
        else:
            lcell = '<td class="none">—</td>'
        rows.append(f'<tr><th class="row">{esc(fw)}</th>{gcell}{lcell}</tr>')
    return _table(["framework", "gradient state at evaluation", "image layouts (same weights and input)"], rows)


def render(view: View) -> str:
    """The section's body: the four tables of the defaults measured in the workers."""
    records = view.records
    if not any(r.get("kind") == "parity" and r.get("check") in CHECKS for r in records):
        return '<p class="muted">No records of suites/parity/test_defaults.py.</p>'
    return (
        '<p class="sub">What each framework does when an argument or initialiser is left out, measured in its worker '
        "(never hard-coded): defaults differ between frameworks, and a port that relies on one silently changes the "
        "model.</p>"
        "<h3>Default initialisers (nothing named)</h3>"
        "<p class=\"sub\">Each of the tasks' Conv2D/Dense layers built with the framework's defaults; the values are "
        "named by Kolmogorov–Smirnov tests against the usual formulas (fans: conv kernels include the receptive "
        "field), α = 1e-6; names that fit every tensor of the layer type are listed, the best first.</p>"
        + initializers_table(records)
        + "<h3>Layer defaults (arguments left out)</h3>"
        '<p class="sub">Measured by building the framework\'s layer with only the size given and running a 9×9 '
        "probe (conv weights −1, bias 0: output size gives the padding, its value the activation; pool size 2: "
        "output size gives stride and rounding).</p>"
        + layer_defaults_table(records)
        + "<h3>The spec's initialisers, as each framework draws them</h3>"
        + spec_init_table(records)
        + "<h3>Evaluation without gradients; channel order</h3>"
        + eval_and_layout_table(records)
    )


SECTION = Section("defaults", "Framework defaults", render)
