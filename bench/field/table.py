"""TSV and Markdown tables from lists of dicts (same keys, in order)."""

from pathlib import Path


def _cell(v) -> str:
    # a path or message from a scanned repository must not break a row
    return str(v).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def write_tsv(path: Path, rows, columns=None):
    """Plain tab-separated values: no quoting, no escaping (cells hold no tab or newline)."""
    columns = columns or (list(rows[0]) if rows else [])
    with open(path, "w") as f:
        f.write("\t".join(columns) + "\n")
        for r in rows:
            f.write("\t".join(_cell(r.get(c, "")) for c in columns) + "\n")


def read_tsv(path: Path):
    """Rows of a file written by write_tsv (lines starting with # are comments)."""
    lines = [l.rstrip("\n") for l in open(path) if l.strip() and not l.startswith("#")]
    if not lines:
        return []
    columns = lines[0].split("\t")
    return [dict(zip(columns, l.split("\t"))) for l in lines[1:]]


def markdown(rows, columns=None) -> str:
    if not rows:
        return ""
    columns = columns or list(rows[0])
    numeric = [all(isinstance(r.get(c), (int, float)) or _is_num(r.get(c)) for r in rows) for c in columns]
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    for r in rows:
        cells = [_cell(r.get(c, "")).replace("|", "\\|") for c in columns]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _is_num(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return v == ""
