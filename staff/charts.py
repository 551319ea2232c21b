"""Bar charts drawn as SVG on the server: nothing loaded from elsewhere, values written
on the bars so they read without colour, and the same numbers given as a table.

A chart is drawn twice: as columns for wide screens, and as rows for a phone, where the
columns' labels, scaled down with the drawing, would be too small to read. In the rows
each label is text of the page's own size beside its bar, and wraps when it
must (see templates/includes/bar_chart.html and static/css/staff.css)."""

from dataclasses import dataclass, field


@dataclass
class Bar:
    label: str
    values: list
    x: float = 0
    rects: list = field(default_factory=list)


@dataclass
class BarChart:
    id: str  # unique on the page: names the chart's SVG pattern
    title: str
    series: list  # names of the value series, e.g. ["registered", "arrived"]
    bars: list
    width: int = 640
    height: int = 240
    bar_area_top: int = 24
    bar_area_bottom: int = 200

    @property
    def label_y(self):
        return self.bar_area_bottom + 18

    @property
    def rows(self):
        return [(bar.label, bar.values) for bar in self.bars]


def bar_chart(chart_id, title, items, *, series=("",), width=640, height=240):
    """`items` is a list of (label, [value per series]). Returns a BarChart whose bars
    carry the rectangles to draw (x, y, width, height, value, series index)."""
    chart = BarChart(
        id=chart_id, title=title, series=list(series), bars=[], width=width, height=height
    )
    if not items:
        return chart
    top = max((max(values) for _label, values in items), default=0) or 1
    slot = (width - 20) / len(items)
    group_width = slot * 0.8
    bar_width = group_width / len(series)
    usable = chart.bar_area_bottom - chart.bar_area_top
    for index, (label, values) in enumerate(items):
        bar = Bar(label=label, values=list(values), x=10 + index * slot + slot / 2)
        for number, value in enumerate(values):
            bar_height = usable * value / top
            x = 10 + index * slot + (slot - group_width) / 2 + number * bar_width
            bar.rects.append(
                {
                    "x": round(x, 1),
                    "y": round(chart.bar_area_bottom - bar_height, 1),
                    "width": round(max(bar_width - 2, 1), 1),
                    "height": round(bar_height, 1),
                    "value": value,
                    "text_x": round(x + bar_width / 2 - 1, 1),
                    "text_y": round(chart.bar_area_bottom - bar_height - 4, 1),
                    "series": number,
                    # The bar's length in the rows drawn for narrow screens, in per cent.
                    "share": round(100 * value / top, 1),
                }
            )
        chart.bars.append(bar)
    return chart
