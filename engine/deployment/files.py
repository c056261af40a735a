"""How uploaded and on-disk files become paths in a process set: .bpmn → bpmn/, .dmn → dmn/, .json → forms/."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

FOLDERS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "forms"}
SAFE_NAME = re.compile(r"^[\w][\w.\-]{0,199}$")


class FileProblem(Exception):
    """An upload that cannot be a file of a process set (no name, an unknown kind, not UTF-8)."""

    def __init__(self, name: str, message: str, message_sv: str, check: str = "files"):
        super().__init__(message)
        self.problem = {"file": name, "element": None, "line": None, "message": message, "message_sv": message_sv,
                        "check": check}


def set_path(filename: str | None) -> str:
    """The path in the set of an uploaded file, from its file name (directories in it are ignored)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    if not name:
        raise FileProblem(filename or "(no name)", "The file has no name; the name decides its kind and path",
                          "Filen har inget namn; namnet avgör vad för slags fil den är och var den hamnar. Ge den "
                          "ett namn som slutar på .bpmn, .dmn eller .json")
    if not SAFE_NAME.match(name):
        raise FileProblem(name, "File names may hold letters, digits, '.', '-' and '_' only (at most 200)",
                          f"Filnamnet {name!r} går inte att använda: det får bara innehålla bokstäver, siffror, '.', "
                          "'-' och '_' (högst 200 tecken). Byt namn på filen")
    folder = FOLDERS.get(Path(name).suffix.lower())
    if folder is None:
        raise FileProblem(name, "Only .bpmn (diagrams), .dmn (decision tables) and .json (forms) can be deployed",
                          f"Filen {name} kan inte driftsättas: bara diagram (.bpmn), beslutstabeller (.dmn) och "
                          "formulär (.json) hör till en rutin")
    return f"{folder}/{name}"


def decode(path: str, data: bytes) -> str:
    """The text of an uploaded file; process files are UTF-8 (a byte order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileProblem(path, f"The file is not UTF-8 text (byte {err.start})",
                          f"Filen {path} är inte text i UTF-8 (fel vid byte {err.start}). Spara den som UTF-8") \
            from err


def read_path(path: str | Path, base_processes_dir: str | Path | None = None,
              base_forms_dir: str | Path | None = None) -> dict[str, bytes]:
    """The files of a folder laid out like a region variant or the base (bpmn/, dmn/, forms/, or the files
    directly in it), or of a single file, by their path in the set. The base's own folder (its diagrams in
    `processes/`, its forms in `forms/`) is read with the base's forms."""
    root = Path(path)
    if root.is_file():
        return {set_path(root.name): root.read_bytes()}
    if not root.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder")
    found: dict[str, bytes] = {}
    for sub in ("bpmn", "dmn", "forms"):
        for file in sorted((root / sub).glob("*")):
            if file.is_file() and file.suffix.lower() in FOLDERS:
                found[set_path(file.name)] = file.read_bytes()
    for file in sorted(root.glob("*")):
        if file.is_file() and file.suffix.lower() in FOLDERS:
            found[set_path(file.name)] = file.read_bytes()
    if base_processes_dir and base_forms_dir and _same(root, base_processes_dir):
        for file in sorted(Path(base_forms_dir).glob("*.json")):
            found[set_path(file.name)] = file.read_bytes()
    return found


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
