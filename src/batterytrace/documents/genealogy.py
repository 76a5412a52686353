"""The material-flow picture: a lot's genealogy from the origin lots to the lot itself.

Lots are boxes in layers from left (origin lots: mined or recycled) to right (the lot drawn for),
each labelled with its material kind, the type and country of the facility that made it, and a
short id; arrows run parent to child. Origin lots are coloured by what the registry says of their
site: certified, uncertified, recycled, or flagged by an auditor. Confidential figures (cobalt
mass, certified and recycled shares) appear only for lots whose notes the caller passes (those its
note store opens), so a picture made from the genealogy alone shows no note's values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from batterytrace.model.genealogy import LotNode
from batterytrace.model.registry import FacilityType
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.notes import Note

#: Fill colours by origin category, and for lots made by transformation.
COLOURS = {
    "certified": "#b7e1b9",
    "uncertified": "#ffe0a3",
    "recycled": "#b3d4f5",
    "flagged": "#f7b0b0",
    "processed": "#eceff1",
}
_EDGE_COLOURS = {"certified": "#2e7d32", "uncertified": "#b26a00", "recycled": "#1565c0", "flagged": "#c62828",
                 "processed": "#607d8b"}
_LEGEND = (("certified", "certified origin"), ("uncertified", "uncertified origin"), ("recycled", "recycled origin"),
           ("flagged", "flagged origin (risk finding)"), ("processed", "made by transformation"))

_BOX_WIDTH = 3.0
_BOX_HEIGHT = 1.1
_LAYER_SPACING = 3.9
_ROW_SPACING = 1.45


def pretty(name: str) -> str:
    """``COBALT_HYDROXIDE`` as ``Cobalt hydroxide``."""
    return name.replace("_", " ").capitalize()


def origin_category(node: LotNode) -> str:
    """How the picture colours a lot: its origin category, or ``processed`` for a transformation's output."""
    if not node.is_origin:
        return "processed"
    if node.risk_flags & (RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA):
        return "flagged"
    if node.facility_type is FacilityType.RECYCLER:
        return "recycled"
    return "certified" if node.certified_schemes else "uncertified"


def short_id(lot_id: int) -> str:
    """The first 8 significant hex digits of a lot id: enough to tell the lots of one picture apart (a
    pack's id, its battery's 96-bit passport id, has no leading zeros to show)."""
    return f"{lot_id:#x}"[:10]


def lot_label(node: LotNode, note: Note | None = None) -> list[str]:
    """The lines written in a lot's box; confidential figures only when the lot's ``note`` is given
    (cobalt is metal 0; recycled is its pre- and post-consumer grams)."""
    facility = pretty(node.facility_type.name) if node.facility_type is not None else f"facility {node.facility_id}"
    lines = [pretty(node.kind.name), f"{facility} ({node.country})" if node.country else facility,
             f"lot {short_id(node.lot_id)}"]
    if node.is_origin:
        category = origin_category(node)
        if category == "flagged":
            flags = [pretty(flag.name) for flag in RiskFlag if flag and flag in node.risk_flags]
            lines.append("flagged: " + ", ".join(flags).lower())
        elif category == "certified":
            lines.append("certified " + ", ".join(sorted(scheme.name for scheme in node.certified_schemes)))
        else:
            lines.append(category)
    if note is not None:
        metal = note.values.metals[0]
        cobalt, recycled = metal.grams, metal.pre_consumer_grams + metal.post_consumer_grams
        certified = 100 * metal.certified_grams // cobalt if cobalt else 0
        figures = f"Co {cobalt / 1000:,.1f} kg, {certified}% certified"
        if recycled:
            figures += f", {100 * recycled // cobalt}% recycled"
        lines.append(figures)
    return lines


def _layers(nodes: Sequence[LotNode]) -> dict[int, int]:
    """Each lot's column: origin lots at 0, every other lot one right of its rightmost parent."""
    import networkx as nx

    graph = nx.DiGraph()
    ids = {node.lot_id for node in nodes}
    graph.add_nodes_from(ids)
    graph.add_edges_from((parent, node.lot_id) for node in nodes for parent in node.parent_ids if parent in ids)
    layer: dict[int, int] = {}
    for lot_id in nx.topological_sort(graph):
        layer[lot_id] = max((layer[parent] + 1 for parent in graph.predecessors(lot_id)), default=0)
    return layer


def _rows(nodes: Sequence[LotNode], layer: Mapping[int, int]) -> dict[int, float]:
    """Vertical positions: each column ordered by its lots' neighbours' mean position, centred."""
    by_layer: dict[int, list[int]] = {}
    for node in sorted(nodes, key=lambda item: item.lot_id):
        by_layer.setdefault(layer[node.lot_id], []).append(node.lot_id)
    parents = {node.lot_id: [p for p in node.parent_ids if p in layer] for node in nodes}
    children: dict[int, list[int]] = {lot_id: [] for lot_id in layer}
    for child, its_parents in parents.items():
        for parent in its_parents:
            children[parent].append(child)
    row: dict[int, float] = {}

    def place(column: list[int]) -> None:
        offset = (len(column) - 1) / 2
        for index, lot_id in enumerate(column):
            row[lot_id] = (offset - index) * _ROW_SPACING

    for column in by_layer.values():
        place(column)
    columns = sorted(by_layer)
    # Two sweeps of the barycentre heuristic keep most arrows from crossing.
    for order in (columns[::-1], columns):
        for number in order:
            def weight(lot_id: int) -> float:
                neighbours = parents[lot_id] + children[lot_id]
                return -sum(row[n] for n in neighbours) / len(neighbours) if neighbours else 0.0

            by_layer[number].sort(key=weight)
            place(by_layer[number])
    return row


def render_genealogy(
    nodes: Iterable[LotNode],
    out_dir: str | Path,
    notes: Mapping[int, Note] | None = None,
    name: str | None = None,
    title: str | None = None,
) -> tuple[Path, Path]:
    """Draw a genealogy (lots with their ``parent_ids``) as PNG and SVG in ``out_dir``.

    ``nodes`` is what :meth:`~batterytrace.sdk.ledger.LedgerOperations.genealogy` (that is
    :func:`~batterytrace.sdk.note_history.genealogy_from_notes`) returns: an auditor's has every
    ancestor, a participant's those whose creation it saw; arrows are drawn for parents present
    among the nodes. ``notes`` maps lot ids to notes the caller's store opens (``client.lot(lot_id).note``);
    only those lots show cobalt mass and shares. Returns ``(png_path, svg_path)``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    unique = {node.lot_id: node for node in nodes}
    lots = list(unique.values())
    if not lots:
        raise ValueError("nothing to draw: the genealogy has no lots")
    notes = notes or {}
    layer = _layers(lots)
    row = _rows(lots, layer)
    sinks = [node for node in lots if not any(node.lot_id in other.parent_ids for other in lots)]
    target = min(sinks, key=lambda node: node.depth) if sinks else lots[0]
    columns = max(layer.values()) + 1
    tallest = max(sum(1 for value in layer.values() if value == column) for column in range(columns))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = name or f"genealogy-{short_id(target.lot_id)}"

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "batterytrace", "font.family": "DejaVu Sans"}):
        figure, axes = plt.subplots(figsize=(max(6.0, columns * 3.7 + 0.6), max(3.2, tallest * 1.45 + 1.9)))
        axes.set_xlim(-_BOX_WIDTH / 2 - 0.3, (columns - 1) * _LAYER_SPACING + _BOX_WIDTH / 2 + 0.3)
        axes.set_ylim(-(tallest - 1) / 2 * _ROW_SPACING - _BOX_HEIGHT / 2 - 0.9,
                      (tallest - 1) / 2 * _ROW_SPACING + _BOX_HEIGHT / 2 + 0.35)
        axes.axis("off")
        for node in lots:
            for parent in node.parent_ids:
                if parent not in unique:
                    continue
                start = (layer[parent] * _LAYER_SPACING + _BOX_WIDTH / 2, row[parent])
                end = (layer[node.lot_id] * _LAYER_SPACING - _BOX_WIDTH / 2, row[node.lot_id])
                axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.3,
                                               color="#546e7a", connectionstyle="arc3,rad=0.0", zorder=1))
        for node in lots:
            category = origin_category(node)
            x, y = layer[node.lot_id] * _LAYER_SPACING, row[node.lot_id]
            axes.add_patch(FancyBboxPatch(
                (x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2), _BOX_WIDTH, _BOX_HEIGHT,
                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=COLOURS[category],
                edgecolor="#263238" if node is target else _EDGE_COLOURS[category],
                linewidth=2.4 if node is target else 1.2, zorder=2,
            ))
            lines = lot_label(node, notes.get(node.lot_id))
            axes.text(x, y + _BOX_HEIGHT / 2 - 0.14, lines[0], ha="center", va="top", fontsize=10.5, fontweight="bold", zorder=3)
            axes.text(x, y + _BOX_HEIGHT / 2 - 0.4, "\n".join(lines[1:]), ha="center", va="top", fontsize=8.4,
                      linespacing=1.25, zorder=3, color="#263238")
        axes.set_title(title or f"Material flow of lot {short_id(target.lot_id)} ({pretty(target.kind.name).lower()})",
                       fontsize=13, loc="left")
        axes.legend(handles=[Patch(facecolor=COLOURS[key], edgecolor=_EDGE_COLOURS[key], label=label)
                             for key, label in _LEGEND],
                    loc="lower center", ncol=len(_LEGEND), fontsize=9, frameon=False, bbox_to_anchor=(0.5, -0.02))
        if notes:
            footer = "Confidential figures shown for lots whose notes were supplied."
        else:
            footer = "No note's values shown: no confidential figures."
        figure.text(0.01, 0.01, footer, fontsize=8, color="#607d8b")
        figure.tight_layout()
        png_path, svg_path = out / f"{stem}.png", out / f"{stem}.svg"
        figure.savefig(png_path, dpi=150, metadata={"Software": None})
        figure.savefig(svg_path, metadata={"Date": None})
        plt.close(figure)
    return png_path, svg_path


