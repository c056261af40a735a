"""The ``tables`` check: each decision of a DMN file read on its own, as the engine will run it, so that a cell
the engine refuses is named (file, decision, rule, column, cell, line) and the other decisions of the file are
still checked and reported: reading the file whole stops at its first refusal.

`table_languages` tells how each decision table's cells run (FEEL, the standard's default, or Python), so that the
script policy checks a cell as it will run: a FEEL path such as ``person.alder`` is read as FEEL, not refused as a
Python attribute."""

from __future__ import annotations

from lxml import etree

from ..decisions.errors import DecisionTableError
from ..decisions.language import normalise_language
from ..decisions.table_parser import DefinitionsReader


def _reader(path: str, root) -> DefinitionsReader | None:
    reader = DefinitionsReader(root, path)
    try:
        reader.default_language = normalise_language(root.get("expressionLanguage"))
    except ValueError:
        return None  # refused when the file is read whole
    return reader


def _decisions(root) -> list:
    return [el for el in root if isinstance(el.tag, str) and etree.QName(el).localname == "decision"]


def table_languages(path: str, root) -> dict:
    """{decisionTable element: "feel" or "python"} for the tables whose language is clear."""
    reader = _reader(path, root)
    found = {}
    if reader is None:
        return found
    for decision in _decisions(root):
        reader.decision_id = decision.get("id")
        for table in decision:
            if isinstance(table.tag, str) and etree.QName(table).localname == "decisionTable":
                try:
                    found[table] = reader.table_language(table)
                except Exception:  # noqa: BLE001 -- refused when the decision is read (`check_tables`)
                    continue
    return found


def check_tables(path: str, root) -> list[dict]:
    """One problem per decision that cannot run as written."""
    reader = _reader(path, root)
    if reader is None:
        return []
    found = []
    for decision in _decisions(root):
        try:
            reader.read_decision(decision)
        except DecisionTableError as err:
            element = _element(err, decision)
            line = _line(err, decision, element)
            found.append({"file": path, "element": element, "line": line, "message": str(err),
                          "message_sv": _in_swedish(path, decision, err, line), "check": "tables"})
        except Exception as err:  # noqa: BLE001 -- odd input must be refused with its place, never fail the request
            found.append({"file": path, "element": decision.get("id"), "line": decision.sourceline,
                          "message": f"The decision cannot be read: {err}",
                          "message_sv": f"Beslutet {_named(decision)} i {path}, rad {decision.sourceline}, kan inte "
                          f"läsas. Öppna tabellen i tabellredigeraren och rätta den. Felet på engelska: {err}",
                          "check": "tables"})
    return found


def _named(decision) -> str:
    name = " ".join((decision.get("name") or "").split())
    return f"'{decision.get('id')}' ('{name}')" if name else f"'{decision.get('id')}'"


def _in_swedish(path: str, decision, err: DecisionTableError, line: int | None) -> str:
    """The refusal as a process owner reads it: the decision, its rule, column and cell, and the line."""
    where = []
    if err.rule_number is not None:
        where.append(f"regel {err.rule_number}")
    if err.column:
        where.append(f"kolumnen '{err.column}'")
    if line:
        where.append(f"rad {line}")
    place = f" ({', '.join(where)})" if where else ""
    cell = f" Cellen lyder: {err.cell!r}." if err.cell is not None else ""
    hint = f" {err.hint}." if err.hint else ""
    return (f"Beslutet {_named(decision)} i {path}{place} kan inte köras som det är skrivet.{cell} Skriv cellen "
            "som FEEL eller Python enligt docs/expressions.md. Tabellens fel på engelska: "
            f"{err.detail}.{hint}")


def _line(err: DecisionTableError, decision, element: str | None) -> int | None:
    """The line of the refused cell's text where the error is about a cell, else the error's own line."""
    line = getattr(err, "line_number", None) or decision.sourceline
    for el in decision.iter():
        if isinstance(el.tag, str) and el.get("id") == element and el.sourceline == line:
            text = next((c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == "text"), None)
            return text.sourceline if text is not None else line
    return line or None


def _element(err: DecisionTableError, decision) -> str | None:
    """The id of the refused cell (or column, or the decision): the element on the error's line."""
    line = getattr(err, "line_number", None)
    if line:
        for el in decision.iter():
            if isinstance(el.tag, str) and el.sourceline == line and el.get("id"):
                return el.get("id")
        for el in decision.iter():
            if isinstance(el.tag, str) and el.sourceline == line:
                parent = el.getparent()
                while parent is not None and not parent.get("id"):
                    parent = parent.getparent()
                if parent is not None:
                    return parent.get("id")
    return decision.get("id")
