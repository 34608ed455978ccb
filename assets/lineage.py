"""The night's lineage as text, from the definitions themselves (the README's drawing is this output)."""

from pathlib import Path

SECTION = "lineage"


def lineage_text() -> str:
    """One line per asset in the order a night runs them: its group, its name, and what it reads."""
    from assets.definitions import build_definitions

    graph = build_definitions(Path("hub.yaml")).resolve_asset_graph()
    keys = list(graph.toposorted_asset_keys)
    width = max(len(key.to_user_string()) for key in keys)
    lines = [f"{'group':<12} {'asset':<{width}} <- reads"]
    for key in keys:
        node = graph.get(key)
        parents = sorted(parent.to_user_string() for parent in node.parent_keys)
        reads = " <- " + ", ".join(parents) if parents else " <- (the district's sources)"
        lines.append(f"{node.group_name:<12} {key.to_user_string():<{width}}{reads}")
    return "```\n" + "\n".join(lines) + "\n```\n"
