"""Small server-rendered SVG charts (bar, line) with axes, labels and accessible titles.

No script and no chart library: a chart is a few dozen elements that scale with the page
(viewBox, width 100%), each bar or point carrying a <title> for a hover read-out; the table
beside every chart is the precise reading and what a screen reader can walk.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 560
NARROW = 340  # the phone rendering: the same chart drawn narrower so its text stays legible
HEIGHT = 260
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 16
PAD_BOTTOM = 56
# Colours that stay apart for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
_ids = itertools.count(1)


def nice_step(value: float, ticks: int = 4, integer: bool = False) -> float:
    """A 1, 2 or 5 × 10^k step that covers `value` in about `ticks` steps."""
    raw = max(value, 1e-9) / ticks
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        step = m * 10.0**exp
        if step >= raw - 1e-12:
            break
    return max(step, 1.0) if integer else step


def axis(value: float, integer: bool) -> tuple[float, float]:
    """(top, step) of an axis from zero that holds `value`."""
    value = max(value, 1.0)
    step = nice_step(value, integer=integer)
    return step * max(math.ceil(value / step - 1e-9), 1), step


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (a readable axis top)."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exp
        if top >= value - 1e-12:
            return float(top)
    return float(10 ** (exp + 1))


def _fmt_default(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"


def _frame(title: str, desc: str, width: int, legend_h: int = 0) -> tuple[str, list[str]]:
    cid = f"chart{next(_ids)}"
    head = [
        f'<svg class="chart" viewBox="0 0 {width} {HEIGHT + legend_h}" width="100%" '
        f'role="img" aria-labelledby="{cid}-t {cid}-d" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(desc)}</desc>',
    ]
    return cid, head


def _y_axis(top: float, step: float, fmt: Callable[[float], str], width: int) -> list[str]:
    out = []
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    ticks = max(round(top / step), 1)
    for i in range(ticks + 1):
        v = step * i
        y = HEIGHT - PAD_BOTTOM - plot_h * i / ticks
        out.append(
            f'<line x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'class="grid" stroke="#e5e7eb"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick" '
            f'font-size="11" fill="#4b5563">{escape(fmt(v))}</text>'
        )
    out.append(
        f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT}" y1="{PAD_TOP}" y2="{HEIGHT - PAD_BOTTOM}" '
        f'stroke="#6b7280"/>'
        f'<line x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{HEIGHT - PAD_BOTTOM}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#6b7280"/>'
    )
    return out


def _text_width(text: str) -> float:
    return sum(11.0 if ord(c) > 0x2000 else 6.5 for c in text)


def _x_labels(labels: Sequence[str], centres: Sequence[float], width: int) -> list[str]:
    # Many labels: show every n-th, and slant them when they would not fit level.
    plot_w = width - PAD_LEFT - PAD_RIGHT
    every = max(1, math.ceil(len(labels) / (12 if width >= 480 else 6)))
    room = plot_w / len(labels) * every
    shown = [lab if len(lab) <= 14 else lab[:13] + "…" for lab in labels]
    slant = max(_text_width(t) for t in shown) > room * 0.95
    out = []
    for i, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if i % every:
            continue
        y = HEIGHT - PAD_BOTTOM + 16
        del label
        text = escape(shown[i])
        if slant:
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#374151" '
                f'text-anchor="end" transform="rotate(-35 {x:.1f} {y:.1f})">{text}</text>'
            )
        else:
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#374151" '
                f'text-anchor="middle">{text}</text>'
            )
    return out


def _empty(title: str, message: str, width: int) -> Markup:
    _cid, head = _frame(title, message, width)
    head.append(
        f'<text x="{width / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14" '
        f'fill="#6b7280">{escape(message)}</text></svg>'
    )
    return Markup("".join(head))


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    fmt: Callable[[float], str] = _fmt_default,
    top: float | None = None,
    empty: str = "—",
    width: int = WIDTH,
) -> Markup:
    """One bar per label, heights from zero; `top` fixes the axis (e.g. 100 for a rate)."""
    if not labels:
        return _empty(title, empty, width)
    integer = all(float(v).is_integer() for v in values)
    vmax, step = (top, top / 4) if top is not None else axis(max(max(values), 0), integer)
    desc = "; ".join(f"{lab}: {fmt(v)}" for lab, v in zip(labels, values, strict=True))
    _cid, out = _frame(title, desc, width)
    out += _y_axis(vmax, step, fmt, width)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(labels)
    bar_w = max(min(slot * 0.7, 48), 2)
    centres = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        cx = PAD_LEFT + slot * (i + 0.5)
        centres.append(cx)
        h = plot_h * max(v, 0) / vmax if vmax else 0
        y = HEIGHT - PAD_BOTTOM - h
        out.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {escape(fmt(v))}</title></rect>'
        )
    out += _x_labels(labels, centres, width)
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    fmt: Callable[[float], str] = _fmt_default,
    top: float | None = None,
    empty: str = "—",
    width: int = WIDTH,
) -> Markup:
    """One line per series over the labels (months); a None is a gap, not a zero."""
    known = [v for _n, vals in series for v in vals if v is not None]
    if not labels or not known:
        return _empty(title, empty, width)
    integer = all(float(v).is_integer() for v in known)
    vmax, step = (top, top / 4) if top is not None else axis(max(max(known), 0), integer)
    desc = " | ".join(
        f"{name}: "
        + ", ".join(f"{lab} {fmt(v)}" for lab, v in zip(labels, vals, strict=True) if v is not None)
        for name, vals in series
    )
    per_row = 3 if width >= 480 else 2
    legend_rows = math.ceil(len(series) / per_row) if len(series) > 1 else 0
    legend_h = legend_rows * 18
    _cid, out = _frame(title, desc, width, legend_h)
    out += _y_axis(vmax, step, fmt, width)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(labels)
    xs = [PAD_LEFT + step * (i + 0.5) for i in range(len(labels))]
    for n, (name, vals) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [
            (x, HEIGHT - PAD_BOTTOM - plot_h * max(v, 0) / vmax, lab, v)
            for x, v, lab in zip(xs, vals, labels, strict=True)
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _lab, _v in points)
        dash = "" if n % 2 == 0 else ' stroke-dasharray="6 3"'
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for x, y, lab, v in points:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} · {escape(lab)}: {escape(fmt(v))}</title></circle>"
            )
    out += _x_labels(labels, xs, width)
    if legend_rows:
        col_w = (width - PAD_LEFT) / per_row
        for n, (name, _vals) in enumerate(series):
            lx = PAD_LEFT + col_w * (n % per_row)
            ly = HEIGHT + 4 + 18 * (n // per_row)
            colour = PALETTE[n % len(PALETTE)]
            label = name if len(name) <= 16 else name[:15] + "…"
            out.append(
                f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{lx + 16:.1f}" y="{ly + 10:.1f}" font-size="11" fill="#374151">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    return Markup("".join(out))
