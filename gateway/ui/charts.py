"""Charts drawn on the server as SVG (no script, no CDN): readable without colour, each bar hatched and labelled
with its value, the whole chart named and described for screen readers (role="img", <title>, <desc>); the page
shows the same figures in a table beside it."""

from markupsafe import Markup, escape

BAR_AREA = 180  # pixels of the tallest bar
BAR, GAP, LEFT, TOP, BOTTOM = 44, 14, 16, 28, 44
INK, BLUE = "#161616", "#000091"  # DSFR grey 50 and blue France: both ≥ 4.5:1 on white


def bar_chart(bars: list[tuple[str, int]], chart_id: str, title: str, description: str) -> Markup:
    """`bars`: (label, value) in order. Each bar carries its value above it and its label below it."""
    width = LEFT * 2 + len(bars) * (BAR + GAP)
    height = TOP + BAR_AREA + BOTTOM
    top = max((value for _, value in bars), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ecars-chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" aria-labelledby="{chart_id}-titre {chart_id}-desc">',
             f'<title id="{chart_id}-titre">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
             f'<defs><pattern id="{chart_id}-hachures" width="8" height="8" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#e3e3fd"/>'
             f'<line x1="0" y1="0" x2="0" y2="8" stroke="{BLUE}" stroke-width="4"/></pattern></defs>',
             f'<line x1="{LEFT}" y1="{TOP + BAR_AREA}" x2="{width - LEFT}" y2="{TOP + BAR_AREA}" stroke="{INK}"/>']
    for n, (label, value) in enumerate(bars):
        x = LEFT + GAP / 2 + n * (BAR + GAP)
        tall = round(BAR_AREA * value / top)
        y = TOP + BAR_AREA - tall
        if tall:
            parts.append(f'<rect x="{x}" y="{y}" width="{BAR}" height="{tall}" fill="url(#{chart_id}-hachures)" '
                         f'stroke="{BLUE}" stroke-width="1.5"/>')
        middle = x + BAR / 2
        parts.append(f'<text x="{middle}" y="{y - 6}" text-anchor="middle" font-size="14" font-weight="bold" '
                     f'fill="{INK}">{value}</text>')
        parts.append(f'<text x="{middle}" y="{TOP + BAR_AREA + 18}" text-anchor="middle" font-size="12" '
                     f'fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text is escaped above; the rest are numbers and constants)
