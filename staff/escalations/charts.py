"""Server-rendered SVG charts (no JavaScript, nothing from a CDN); every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from staff.escalations.models import Reason

WIDTH = 640
ROW_HEIGHT = 22
# Distinguishable and at least 4.5:1 against white; crisis in the console's urgent red.
REASON_COLOURS = {
    Reason.CRISIS: "#b3261e",
    Reason.OVERDOSE: "#8a1c4a",
    Reason.MEDICAL_EMERGENCY: "#6a1b9a",
    Reason.OTHER_IN_DANGER: "#9a3412",
    Reason.MEDICAL_ADVICE: "#1b4f8a",
    Reason.REQUEST_HUMAN: "#2e7d32",
    Reason.APPOINTMENT: "#7a4b00",
    Reason.FALLBACK: "#5c5c5c",
}


# For series without a colour of their own (channels and languages, outcomes): at least 3:1 on white.
PALETTE = ("#1b4f8a", "#b3261e", "#2e7d32", "#7a4b00", "#5c5c5c", "#6a1b9a", "#00695c", "#ad1457")


def palette_series(keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(key, label) pairs with a colour each, for ``stacked_columns``."""
    return [(key, label, PALETTE[index % len(PALETTE)]) for index, (key, label) in enumerate(keys)]


def stacked_columns(
    chart_id: str,
    title: str,
    columns: Sequence[tuple[str, dict[str, int]]],
    series: Sequence[tuple[str, str, str]],
    height: int = 220,
) -> str:
    """Columns (label, {series key: value}) stacked by ``series`` (key, label, colour), with a legend."""
    top = max([sum(values.values()) for _, values in columns] + [1])
    plot_top, plot_bottom, left = 10, height - 40, 36
    slot = (WIDTH - left) / max(len(columns), 1)
    scale = (plot_bottom - plot_top) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height + 24 * len(series)}" '
        f'role="img" aria-labelledby="{chart_id}-title" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{plot_bottom}" x2="{WIDTH}" y2="{plot_bottom}" stroke="#6b6b6b"/>',
        f'<text x="{left - 6}" y="{plot_top + 10}" text-anchor="end" class="axis">{top}</text>',
        f'<text x="{left - 6}" y="{plot_bottom}" text-anchor="end" class="axis">0</text>',
    ]
    for index, (label, values) in enumerate(columns):
        x = left + index * slot + slot * 0.15
        y = plot_bottom
        for key, series_label, colour in series:
            value = values.get(key, 0)
            if not value:
                continue
            bar = value * scale
            y -= bar
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="{colour}">'
                f"<title>{escape(label)}: {value} {escape(series_label)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{plot_bottom + 16}" text-anchor="middle" class="axis">'
            f"{escape(label)}</text>"
        )
    for index, (_, series_label, colour) in enumerate(series):
        y = height + index * 24
        parts.append(f'<rect x="{left}" y="{y - 12}" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{left + 22}" y="{y}" class="legend">{escape(series_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(chart_id: str, title: str, rows: Sequence[tuple[str, int]], colour: str = "#1b4f8a") -> str:
    """One bar per (label, value), largest scale to the full width."""
    label_width, value_width = 260, 40
    top = max([value for _, value in rows] + [1])
    span = WIDTH - label_width - value_width
    height = max(len(rows), 1) * ROW_HEIGHT + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        length = value / top * span
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="axis">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 6}" fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" class="axis">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
