"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable without
colour (every bar and point has a text label)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, MARGIN = 640, 240, 36


def _scale(values: Sequence[float]) -> float:
    top = max([0.0, *values])
    return top if top > 0 else 1.0


def bar_chart(*, title: str, points: Sequence[tuple[str, float]]) -> str:
    """Vertical bars, one per (label, value)."""
    top = _scale([v for _label, v in points])
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = plot_w / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        h = plot_h * value / top
        x = MARGIN + index * step + step * 0.15
        y = MARGIN + plot_h - h
        bars.append(
            f"<g><title>{escape(label)}: {value:g}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
            f'class="chart-bar" fill="currentColor" opacity="0.75"/>'
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="10" '
            f'text-anchor="middle">{escape(label[-10:])}</text></g>'
        )
    return _svg(title, top, "".join(bars))


def line_chart(*, title: str, points: Sequence[tuple[str, float]]) -> str:
    """One line through (label, value) points, labels thinned to about ten."""
    top = _scale([v for _label, v in points])
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = plot_w / max(len(points) - 1, 1)
    coords = [
        (MARGIN + i * step, MARGIN + plot_h - plot_h * v / top) for i, (_l, v) in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    every = max(1, len(points) // 10)
    labels = "".join(
        f'<text x="{x:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="10" text-anchor="middle">'
        f"{escape(points[i][0][-5:])}</text>"
        for i, (x, _y) in enumerate(coords)
        if i % every == 0
    )
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="currentColor">'
        f"<title>{escape(points[i][0])}: {points[i][1]:g}</title></circle>"
        for i, (x, y) in enumerate(coords)
    )
    line = (
        f'<polyline points="{path}" fill="none" stroke="currentColor" stroke-width="2"/>'
        if coords
        else ""
    )
    return _svg(title, top, line + dots + labels)


def _svg(title: str, top: float, body: str) -> str:
    axis = (
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="currentColor" stroke-width="1"/>'
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" font-size="10" text-anchor="end">{top:g}</text>'
        f'<text x="{MARGIN - 4}" y="{HEIGHT - MARGIN}" font-size="10" text-anchor="end">0</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        f"{axis}{body}</svg>"
    )
