"""Everything checked before a process set is stored, one small function per check.

`validate_process_set(files)` runs, in this order, and reports every failure as a problem
``{"file", "element", "line", "message", "check"}`` (element and line where known):

1. ``size``     -- each file within the size limit.
2. ``xml``      -- BPMN and DMN parsed safely: no DOCTYPE (so no external entities and no entity expansion
                   bombs), well-formed, UTF-8; form files are JSON.
3. ``xsd``      -- BPMN against BPMN 2.0 with the spiff extensions, DMN against the DMN XSD of its version.
4. ``diagram``  -- every flow element has diagram interchange (BPMNShape or BPMNEdge), so it opens in a modeler.
5. ``forms``    -- a form a user task names is in the set and is a valid JSON Schema (and its UI schema, when
                   named, is there and is JSON); a user task without a form is a confirmation step.
   ``privacy`` -- no field would hold a personal identity number (`form_privacy`); `element` is the
                   field's path.
   ``rendering`` -- the staff web app can show every form: each field resolves to a control, and each UI
                   schema names only the fields, widgets and order its form can have (`form_rendering`);
                   `element` is the field's path.
6. ``references`` -- the main process is there; every called process (call activity) and called decision
                   (business rule task, required decision) resolves within the set.
7. ``scripts``  -- scripts (script tasks, pre- and post-scripts) and expressions (conditions, timers,
                   multi-instance, candidateGroups/dueDate, message payloads, DMN cells) pass the
                   sandbox's `check_script` policy; a DMN cell as its table's language runs it (`tables`).
   ``tables`` -- each decision read on its own as the engine runs it, so that a refused cell is named and the
                   other decisions are still checked (`tables`).
   ``instructions`` -- each user task's instructions, where they fill in the case's facts, parse as a template.
   ``loops``  -- no loop the engine could go round without end or never leave: a cycle of sequence flows
                   with no wait state on it, or with no gateway that can leave it, or flowing back into a
                   parallel gateway that waits for flows from before it; and no start of the main process that
                   sends the message starting the next case before anything waits (`loops`).
   ``runnable`` -- nothing the engine cannot run: no service task (the product has no connectors), no call of a
                   function nothing defines, no message event without a message of its file, no Camunda
                   attribute (each named with what to write instead) (`runnable`).
   ``notifications`` -- each `notification` property names a known kind with the variables it needs, on an
                   element it fits (`notification_properties`).
   ``person_forms`` -- a form a user task offers the person (`personFormJsonSchemaFilename`) is in the set and
                   every field of it is a question the person's page can show (`person_forms`).
   ``variables`` -- no script or expression reads a variable that nothing in the set can set (a script, a form
                   field, a decision output, a message, a multi-instance or start variable) unless it guards the
                   read (`finns("x")`) (`variables`).
8. ``spiffworkflow`` -- SpiffWorkflow's own parse of the whole set, run only when nothing above failed (it
                   stops at its first error, which would mostly repeat the checks above).

The report keeps the parsed specs and forms so a deployment does not parse the set twice.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import textwrap
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import SPIFF_XSD, VALIDATOR

from ..runtime.parser import ParsedProcess, ProcessParser, ProcessSetError, parse_xml, problem_from_validation
from ..scripting import HELPERS
from . import form_privacy, form_rendering
from .instructions import check_instructions
from .loops import check_loops
from .notification_properties import check_notification_properties
from .person_forms import check_person_forms
from .problems import in_swedish, place_sv
from .runnable import check_runnable
from .tables import check_tables, table_languages
from .variables import check_variables

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
PREFIXES = {BPMN_NS: "bpmn", BPMNDI_NS: "bpmndi", SPIFF_NS: "spiffworkflow",
            "http://www.omg.org/spec/DD/20100524/DC": "dc", "http://www.omg.org/spec/DD/20100524/DI": "di",
            **{ns: "dmn" for ns in DMN_SCHEMAS}}

DEFAULT_MAX_FILE_BYTES = 512 * 1024
MAX_PROBLEMS_PER_FILE = 50

# Every element a modeler draws: without a shape or an edge it is invisible, or the file does not open.
DRAWN_ELEMENTS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "scriptTask", "businessRuleTask", "serviceTask", "manualTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway", "eventBasedGateway",
    "inclusiveGateway", "complexGateway", "sequenceFlow", "lane", "participant", "messageFlow",
}
# Where diagrams hold Python: (namespace, local name) -> mode for check_script and what it is, in words.
SCRIPT_ELEMENTS = {
    (BPMN_NS, "script"): ("exec", "script"),
    (SPIFF_NS, "preScript"): ("exec", "pre-script"),
    (SPIFF_NS, "postScript"): ("exec", "post-script"),
    (BPMN_NS, "conditionExpression"): ("eval", "condition"),
    (BPMN_NS, "condition"): ("eval", "condition"),
    (BPMN_NS, "timeDuration"): ("eval", "timer expression"),
    (BPMN_NS, "timeDate"): ("eval", "timer expression"),
    (BPMN_NS, "timeCycle"): ("eval", "timer expression"),
    (BPMN_NS, "loopCardinality"): ("eval", "multi-instance cardinality"),
    (BPMN_NS, "completionCondition"): ("eval", "multi-instance completion condition"),
    (SPIFF_NS, "messagePayload"): ("eval", "message payload"),
    (BPMN_NS, "formalExpression"): ("eval", "correlation expression"),
}
EXPRESSION_PROPERTIES = {"candidateGroups": "candidateGroups expression", "dueDate": "dueDate expression"}
# What each of those is, in Swedish.
SCRIPT_WHAT_SV = {
    "script": "skriptet", "pre-script": "skriptet före uppgiften (preScript)",
    "post-script": "skriptet efter uppgiften (postScript)", "condition": "villkoret",
    "timer expression": "timerns uttryck", "multi-instance cardinality": "uttrycket för antalet instanser",
    "multi-instance completion condition": "villkoret för när instanserna är klara",
    "message payload": "meddelandets innehåll", "correlation expression": "korrelationsuttrycket",
    "candidateGroups expression": "uttrycket för vem uppgiften är för (candidateGroups)",
    "dueDate expression": "uttrycket för när uppgiften ska vara klar (dueDate)",
}
CELL_SV = {"inputExpression": "Indatauttrycket", "inputEntry": "Villkorscellen", "outputEntry": "Utdatacellen"}
WHERE_SV = "i den här driftsättningen, regionens tidigare driftsättningar eller basen"
DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
XML_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']""")
SCRIPT_LINE = re.compile(r"^Line (\d+): (.*)$", re.DOTALL)
QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


@dataclass
class ValidationReport:
    """What the checks found about a process set; `parsed` and `forms` are set when it is valid."""

    files: dict[str, str]
    problems: list[dict] = field(default_factory=list)
    parsed: ParsedProcess | None = None
    forms: dict | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def problems_of(self, path: str) -> list[dict]:
        return [p for p in self.problems if p.get("file") == path]


def problem(check: str, file: str | None, message: str, element: str | None = None,
            line: int | None = None, sv: str | None = None) -> dict:
    """A problem of `check`: `message` in English, `sv` what a process owner reads (see `problems`)."""
    found = {"file": file, "element": element, "line": line, "message": message, "check": check}
    if sv:
        found["message_sv"] = sv
    return found


def kind_of(path: str) -> str | None:
    return {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}.get(Path(path).suffix.lower())


# -- the pipeline ----------------------------------------------------------------------------------------------


def validate_process_set(files: dict[str, str], key: str = "sip",
                         max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ValidationReport:
    """Run every check on a whole process set (path -> text); see the module's docstring for the order."""
    report = ValidationReport(files=dict(files))
    problems = report.problems
    trees: dict[str, etree._Element] = {}
    forms_json: dict[str, object] = {}
    for path, text in sorted(files.items()):
        found = check_size(path, text, max_file_bytes)
        if found:
            problems.extend(found)
            continue
        kind = kind_of(path)
        if kind in ("bpmn", "dmn"):
            root, found = check_xml(path, text)
            problems.extend(found)
            if root is None:
                continue
            found = check_xsd(path, root, kind)
            problems.extend(found)
            trees[path] = root
        elif kind == "form":
            value, found = check_json(path, text)
            problems.extend(found)
            if not found:
                forms_json[path] = value
        else:
            problems.append(problem("files", path, "Not a process file: only .bpmn, .dmn and .json belong in a set",
                                    sv=f"Filen {path} hör inte till en rutin: bara diagram (.bpmn), "
                                    "beslutstabeller (.dmn) och formulär (.json) kan driftsättas"))
    all_parsed = len(trees) == sum(1 for p in files if kind_of(p) in ("bpmn", "dmn"))
    bpmn_trees = {p: r for p, r in trees.items() if kind_of(p) == "bpmn"}
    dmn_trees = {p: r for p, r in trees.items() if kind_of(p) == "dmn"}
    for path, root in sorted(bpmn_trees.items()):
        problems.extend(check_diagram_interchange(path, root))
    problems.extend(check_forms(bpmn_trees, files, forms_json))
    if all_parsed:
        problems.extend(check_references(bpmn_trees, dmn_trees, key))
    for path, root in sorted(trees.items()):
        problems.extend(check_scripts(path, root) if kind_of(path) == "bpmn" else check_decision_cells(path, root))
    for path, root in sorted(dmn_trees.items()):
        problems.extend(check_tables(path, root))
    problems.extend(check_loops(bpmn_trees, key))
    problems.extend(check_runnable(bpmn_trees, forms_json, key))
    problems.extend(check_notification_properties(bpmn_trees, forms_json))
    problems.extend(check_person_forms(bpmn_trees, forms_json))
    problems.extend(check_variables(bpmn_trees, dmn_trees, forms_json))
    for path, root in sorted(bpmn_trees.items()):
        problems.extend(check_instructions(path, root))
    if problems:
        in_swedish(problems, trees)
        return report
    parsed, found = check_spiffworkflow(files, key)
    problems.extend(in_swedish(found, trees))
    if not found:
        # The forms as `engine.forms.parse_forms` gives them, by file name; all checked above.
        report.parsed, report.forms = parsed, {Path(p).name: value for p, value in forms_json.items()}
    return report


# -- 1. size --------------------------------------------------------------------------------------------------


def check_size(path: str, text: str, max_bytes: int) -> list[dict]:
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        return [problem("size", path, f"The file is {size} bytes; at most {max_bytes} bytes are accepted per file",
                        sv=f"Filen {path} är {size} byte stor; högst {max_bytes} byte tas emot per fil. Dela upp "
                        "den eller ta bort det som inte behövs")]
    return []


# -- 2. safe parsing ------------------------------------------------------------------------------------------


def check_xml(path: str, text: str):
    """Parse XML without DTDs: a DOCTYPE or entity declaration is refused before parsing, so neither
    external entities (file:// or http://) nor entity expansion bombs reach the parser."""
    match = DOCTYPE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        return None, [problem("xml", path, "A DOCTYPE or entity declaration is not allowed in a process file "
                              "(external entities and entity expansion are refused)", line=line,
                              sv=f"Filen {path} har en DOCTYPE- eller ENTITY-deklaration på rad {line}, vilket inte "
                              "är tillåtet i en processfil (externa entiteter godtas inte). Ta bort raden")]
    declared = XML_DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        return None, [problem("xml", path, f"The file declares the encoding {declared.group(1)}; process files "
                              "must be UTF-8", line=1,
                              sv=f"Filen {path} anger teckenkodningen {declared.group(1)} på rad 1; processfiler ska "
                              "vara UTF-8. Spara filen som UTF-8")]
    try:
        root = parse_xml(text, path)
    except ProcessSetError as err:
        return None, [{**p, "check": "xml", "message_sv": _not_well_formed_sv(path, p)} for p in err.problems]
    except (ValueError, etree.LxmlError) as err:
        return None, [problem("xml", path, f"Not well-formed XML: {err}",
                              sv=f"Filen {path} är inte välformad XML och kan inte läsas; kontrollera att varje "
                              f"element stängs och att tecknen är rätt. Felet: {err}")]
    if root.getroottree().docinfo.doctype:
        return None, [problem("xml", path, "A DOCTYPE is not allowed in a process file", line=1,
                              sv=f"Filen {path} har en DOCTYPE, vilket inte är tillåtet i en processfil. Ta bort den")]
    return root, []


def _not_well_formed_sv(path: str, found: dict) -> str:
    at = f" (rad {found['line']})" if found.get("line") else ""
    return (f"Filen {path} är inte välformad XML och kan inte läsas{at}; kontrollera att varje element stängs och "
            f"att prefix och tecken är rätt. Felet på engelska: {found['message']}")


def check_json(path: str, text: str):
    try:
        return json.loads(text), []
    except json.JSONDecodeError as err:
        return None, [problem("forms", path, f"Not valid JSON: {err.msg}", line=err.lineno,
                              sv=f"Filen {path} är inte giltig JSON (rad {err.lineno}, kolumn {err.colno}): "
                              "kontrollera kommatecken, citattecken och klamrar där")]
    except RecursionError:
        return None, [problem("forms", path, "The JSON is nested too deeply",
                              sv=f"Filen {path} har för många nivåer inuti varandra för att läsas")]


# -- 3. XML Schema --------------------------------------------------------------------------------------------

_schemas = threading.local()


def _schema(kind: str, namespace: str | None):
    """The XSD validator for BPMN (with the spiff extensions) or a DMN version; one per thread, as lxml's
    validators keep their error log."""
    cache = _schemas.__dict__.setdefault("cache", {})
    key = (kind, namespace)
    if key not in cache:
        if kind == "bpmn":
            cache[key] = BpmnValidator(imports={"spiffworkflow": SPIFF_XSD}).validator
        else:
            cache[key] = BpmnValidator(DMN_SCHEMAS[namespace]).validator
    return cache[key]


def check_xsd(path: str, root, kind: str) -> list[dict]:
    namespace, local = etree.QName(root).namespace, etree.QName(root).localname
    if kind == "bpmn" and (namespace, local) != (BPMN_NS, "definitions"):
        return [problem("xsd", path, f"A .bpmn file must be BPMN 2.0: its root element must be "
                        f"{{{BPMN_NS}}}definitions, not {root.tag}", line=root.sourceline,
                        sv=f"Filen {path} är inte ett BPMN 2.0-diagram: dess yttersta element ska vara "
                        f"bpmn:definitions, inte {_readable(root.tag)}")]
    if kind == "dmn" and (local != "definitions" or namespace not in DMN_SCHEMAS):
        return [problem("xsd", path, "A .dmn file must be DMN 1.1, 1.2 or 1.3: its root element must be "
                        f"definitions in one of {sorted(DMN_SCHEMAS)}, not {root.tag}", line=root.sourceline,
                        sv=f"Filen {path} är inte beslutstabeller i DMN 1.1, 1.2 eller 1.3: dess yttersta element "
                        f"ska vara definitions i DMN:s namnrymd, inte {root.tag}")]
    schema = _schema(kind, namespace)
    checked = copy.deepcopy(root)
    if kind == "bpmn":
        VALIDATOR.preprocess(checked)  # as SpiffWorkflow does: bpmn-js's correlation expressions
    if schema.validate(checked):
        return []
    found = []
    for entry in list(schema.error_log)[:MAX_PROBLEMS_PER_FILE]:
        element = _element_at(root, entry.line, entry.message)
        found.append(problem("xsd", path, f"Not valid {kind.upper()}: {_readable(entry.message)}",
                             element=element, line=entry.line or None,
                             sv=f"{'Diagrammet' if kind == 'bpmn' else 'Beslutstabellerna i'} {path} följer inte "
                             f"{kind.upper()}-standarden ({place_sv(None, element, entry.line or None)}): ett element "
                             "eller attribut står där det inte får stå eller saknas. Rätta det i modelleraren. "
                             f"Kontrollens beskrivning på engelska: {_readable(entry.message)}"))
    return found


XSD_ELEMENT = re.compile(r"^Element '([^']+)'")


def _element_at(root, line: int | None, message: str) -> str | None:
    """The id of the element an XSD error is about: the element on that line named in the message (or the
    first element on the line), or its nearest ancestor with an id."""
    if not line:
        return None
    named = XSD_ELEMENT.match(message)
    on_line = [el for el in root.iter() if isinstance(el.tag, str) and el.sourceline == line]
    if named:
        on_line = [el for el in on_line if el.tag == named.group(1)] or on_line
    return _owner_id(on_line[0]) if on_line else None


def _readable(message: str) -> str:
    for namespace, prefix in PREFIXES.items():
        message = message.replace("{" + namespace + "}", prefix + ":")
    return message


# -- 4. diagram interchange -----------------------------------------------------------------------------------


def check_diagram_interchange(path: str, root) -> list[dict]:
    drawn = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI_NS}}}BPMNShape", f"{{{BPMNDI_NS}}}BPMNEdge")}
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace == BPMN_NS and qname.localname in DRAWN_ELEMENTS and el.get("id") not in drawn:
            shape = "BPMNEdge" if qname.localname in ("sequenceFlow", "messageFlow") else "BPMNShape"
            found.append(problem("diagram", path, f"The {qname.localname} has no diagram interchange ({shape}), "
                                 "so it cannot be shown in a modeler", element=el.get("id"), line=el.sourceline,
                                 sv=f"Elementet {_named(el)} ({qname.localname}) i diagrammet {path}, rad "
                                 f"{el.sourceline}, är inte ritat (ingen {shape}), så det syns inte i en "
                                 "modellerare. Rita det i modelleraren eller ta bort det"))
    return found


# -- 5. forms -------------------------------------------------------------------------------------------------


def _properties(task) -> dict[str, tuple[str | None, object]]:
    return {p.get("name"): (p.get("value"), p) for p in task.iter(f"{{{SPIFF_NS}}}property")}


def check_forms(bpmn_trees: dict, files: dict[str, str], forms_json: dict[str, object]) -> list[dict]:
    names = {Path(p).name: p for p in files if kind_of(p) == "form"}
    found = []
    checked_schemas = set()
    shown_together = set()  # (schema path, UI schema path) of each user task
    for path, root in sorted(bpmn_trees.items()):
        for task in root.iter(f"{{{BPMN_NS}}}userTask"):
            props = _properties(task)
            task_id, line = task.get("id"), task.sourceline
            pair = [names.get((props.get(p) or (None,))[0] or "") for p in ("formJsonSchemaFilename",
                                                                           "formUiSchemaFilename")]
            if all(pair):
                shown_together.add(tuple(pair))
            for prop in ("formJsonSchemaFilename", "formUiSchemaFilename"):
                name = (props.get(prop) or (None,))[0]
                if not name:
                    continue
                if name not in names:
                    found.append(problem("forms", path, f"{prop} names the form file {name}, which is not in the "
                                         "process set", element=task_id, line=props[prop][1].sourceline or line,
                                         sv=f"Användaruppgiften {_named(task)} i diagrammet {path}, rad "
                                         f"{props[prop][1].sourceline or line}, anger formulärfilen {name} ({prop}), "
                                         "som inte finns bland rutinens filer. Ladda upp formuläret eller skriv "
                                         "namnet på ett som finns"))
                    continue
                form_path = names[name]
                if form_path not in forms_json:
                    continue  # reported as not JSON already
                if prop == "formJsonSchemaFilename" and form_path not in checked_schemas:
                    checked_schemas.add(form_path)
                    found.extend(check_json_schema(form_path, forms_json[form_path], files[form_path]))
                elif prop == "formUiSchemaFilename" and not isinstance(forms_json[form_path], dict):
                    found.append(problem("forms", form_path, "A UI schema must be a JSON object",
                                         sv=f"UI-schemat {form_path} måste vara ett JSON-objekt ({{ ... }})"))
    for form_path, value in sorted(forms_json.items()):
        if form_path.endswith(".schema.json") and form_path not in checked_schemas:
            found.extend(check_json_schema(form_path, value, files[form_path]))
    reported = {p["file"] for p in found}
    for schema_path, ui_path in sorted(shown_together):
        schema, ui = forms_json.get(schema_path), forms_json.get(ui_path)
        if schema_path in reported or ui_path in reported or not isinstance(schema, dict) or ui is None:
            continue  # not JSON, not a valid form, or a form that cannot be shown: reported already
        found.extend(form_rendering.check_ui_schema(schema_path, schema, ui_path, ui, files[ui_path],
                                                    files[schema_path]))
    return found


def check_json_schema(path: str, schema: object, text: str | None = None) -> list[dict]:
    """A form's JSON Schema: valid, with no field named like a helper, none that would hold a personal identity
    number (`form_privacy`), and one the web app can show (see `form_rendering`; `text` gives the lines of its
    fields)."""
    if not isinstance(schema, dict):
        return [problem("forms", path, "A form's JSON Schema must be a JSON object",
                        sv=f"Formuläret {path} måste vara ett JSON Schema-objekt ({{ ... }})")]
    message = _schema_error(schema)
    if message:
        where = message.split(" at ", 1)[1].split(":", 1)[0] if " at " in message else "(root)"
        return [problem("forms", path, message,
                        sv=f"Formuläret {path} är inte ett giltigt JSON Schema (vid {where}); rätta nyckelordet "
                        f"där. Kontrollens beskrivning på engelska: {message.split(': ', 1)[-1]}")]
    fields = schema.get("properties")
    taken = sorted(set(fields) & set(HELPERS)) if isinstance(fields, dict) else []
    # A submitted field becomes a variable of the case, and a variable named like a helper stops every script.
    found = [problem("forms", path, f"The field '{name}' has the name of a helper for diagrams; rename it",
                     element=name, sv=f"Fältet '{name}' i formuläret {path} heter som en av diagrammens "
                     "hjälpfunktioner, så ärendets skript skulle sluta fungera. Byt namn på fältet")
             for name in taken]
    # What a form is given becomes process data, which every participant reads: a personal identity number
    # is kept in the case's protected column only.
    found += form_privacy.check_schema(path, schema, text)
    return found + form_rendering.check_schema(path, schema, text)


_SCHEMA_ERRORS: OrderedDict[str, str | None] = OrderedDict()
_SCHEMA_ERRORS_LOCK = threading.Lock()


def _schema_error(schema: dict) -> str | None:
    """Why a JSON Schema is not valid (None when it is). Remembered by content digest for the last 512
    schemas, as checking one takes tens of milliseconds and a deployment checks every form of the set."""
    digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode("utf-8")).hexdigest()
    with _SCHEMA_ERRORS_LOCK:
        if digest in _SCHEMA_ERRORS:
            _SCHEMA_ERRORS.move_to_end(digest)
            return _SCHEMA_ERRORS[digest]
    try:
        Draft202012Validator.check_schema(schema)
        message = None
    except SchemaError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        message = f"Not a valid JSON Schema at {where}: {err.message}"
    with _SCHEMA_ERRORS_LOCK:
        _SCHEMA_ERRORS[digest] = message
        while len(_SCHEMA_ERRORS) > 512:
            _SCHEMA_ERRORS.popitem(last=False)
    return message


# -- 6. references --------------------------------------------------------------------------------------------


def defined_processes(bpmn_trees: dict) -> dict[str, str]:
    return {el.get("id"): path for path, root in bpmn_trees.items()
            for el in root.iter(f"{{{BPMN_NS}}}process") if el.get("id")}


def defined_decisions(dmn_trees: dict) -> dict[str, str]:
    return {el.get("id"): path for path, root in dmn_trees.items()
            for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "decision"
            and el.get("id")}


def check_references(bpmn_trees: dict, dmn_trees: dict, key: str) -> list[dict]:
    processes, decisions = defined_processes(bpmn_trees), defined_decisions(dmn_trees)
    where = "in this deployment, the region's earlier deployments or the base"
    found = []
    if key not in processes:
        found.append(problem("references", None, f"No diagram defines the main process {key!r}", element=key,
                             sv=f"Inget diagram definierar huvudprocessen '{key}'. Ladda upp diagrammet med en "
                             f"process vars id är {key}"))
    for path, root in sorted(bpmn_trees.items()):
        for call in root.iter(f"{{{BPMN_NS}}}callActivity"):
            called = (call.get("calledElement") or "").strip()
            if not called:
                found.append(problem("references", path, "The call activity names no process (calledElement)",
                                     element=call.get("id"), line=call.sourceline,
                                     sv=f"Anropet {_named(call)} i diagrammet {path}, rad {call.sourceline}, anger "
                                     "ingen process (calledElement). Skriv id:t för processen som ska anropas"))
            elif called not in processes:
                found.append(problem("references", path, f"The call activity calls the process {called!r}, which "
                                     f"is not {where}", element=call.get("id"), line=call.sourceline,
                                     sv=f"Anropet {_named(call)} i diagrammet {path}, rad {call.sourceline}, anropar "
                                     f"processen '{called}', som inte finns {WHERE_SV}. Skriv id:t för en process "
                                     "som finns eller ladda upp diagrammet som definierar den"))
        for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
            ref = task.find(f".//{{{SPIFF_NS}}}calledDecisionId")
            called = (ref.text or "").strip() if ref is not None else ""
            if not called:
                found.append(problem("references", path, "The business rule task names no decision "
                                     "(calledDecisionId)", element=task.get("id"), line=task.sourceline,
                                     sv=f"Regeluppgiften {_named(task)} i diagrammet {path}, rad {task.sourceline}, "
                                     "anger ingen beslutstabell (calledDecisionId). Skriv id:t för beslutet som "
                                     "ska användas"))
            elif called not in decisions:
                found.append(problem("references", path, f"The business rule task calls the decision {called!r}, "
                                     f"which is not {where}", element=task.get("id"),
                                     line=ref.sourceline or task.sourceline,
                                     sv=f"Regeluppgiften {_named(task)} i diagrammet {path}, rad "
                                     f"{ref.sourceline or task.sourceline}, anropar beslutet '{called}', som inte "
                                     f"finns {WHERE_SV}. Skriv id:t för ett beslut som finns eller ladda upp "
                                     "beslutstabellen"))
    for path, root in sorted(dmn_trees.items()):
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == "requiredDecision":
                called = (el.get("href") or "").lstrip("#").strip()
                if called and called not in decisions:
                    owner = _owner_id(el)
                    found.append(problem("references", path, f"The decision requires the decision {called!r}, "
                                         f"which is not {where}", element=owner, line=el.sourceline,
                                         sv=f"Beslutet {owner} i {path}, rad {el.sourceline}, bygger på beslutet "
                                         f"'{called}', som inte finns {WHERE_SV}. Rätta hänvisningen "
                                         "(requiredDecision) eller ladda upp det beslutet"))
    return found


def _named(el) -> str:
    """An element as a process owner finds it: its id and, where it has one, its name."""
    name = " ".join((el.get("name") or "").split())
    return f"{el.get('id')} ('{name}')" if name else str(el.get("id"))


def _owner_name(el) -> str | None:
    while el is not None and not el.get("id"):
        el = el.getparent()
    return " ".join((el.get("name") or "").split()) or None if el is not None else None


def _owner_id(el) -> str | None:
    while el is not None and not el.get("id"):
        el = el.getparent()
    return el.get("id") if el is not None else None


# -- 7. scripts and expressions -------------------------------------------------------------------------------


def _check_script():
    from ..scripting import check_script

    return check_script


def _script_problems(path: str, element_id: str | None, line: int | None, what: str, source: str,
                     mode: str, name: str | None = None) -> list[dict]:
    found = []
    for message in _check_script()(source, mode):
        match = SCRIPT_LINE.match(message)
        at = line
        if match and line is not None:
            at = line + int(match.group(1)) - 1
            message = match.group(2)
        found.append(problem("scripts", path, f"The {what} is refused by the script policy: {message}",
                             element=element_id, line=at,
                             sv=f"{_first_upper(SCRIPT_WHAT_SV.get(what, what))} "
                             f"{place_sv(path, element_id, at, name)} "
                             "godtas inte av reglerna för skript och uttryck (se docs/expressions.md). "
                             f"Regelns beskrivning på engelska: {message}"))
    return found


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_scripts(path: str, root) -> list[dict]:
    """Scripts and expressions of a BPMN file against the sandbox's policy (nothing is run)."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        spec = SCRIPT_ELEMENTS.get((qname.namespace, qname.localname))
        if spec is not None:
            mode, what = spec
            source = el.text or ""
            if source.strip():
                owner = el.getparent() if qname.localname == "script" else el
                found.extend(_script_problems(path, _owner_id(owner), el.sourceline, what, source.strip()
                                              if mode == "eval" else _dedent(source), mode, _owner_name(owner)))
        elif (qname.namespace, qname.localname) == (SPIFF_NS, "property"):
            what = EXPRESSION_PROPERTIES.get(el.get("name"))
            value = el.get("value") or ""
            if what and value.strip():
                found.extend(_script_problems(path, _owner_id(el), el.sourceline, what, value.strip(), "eval",
                                              _owner_name(el)))
    return found


def _dedent(source: str) -> str:
    """A script as modelers indent it inside its element, its lines kept (so line numbers stay right)."""
    return textwrap.dedent(source).rstrip()


def _feel_readings(text: str, kind: str) -> list[str]:
    try:
        from ..decisions.feel import translate_expression, translate_unary_tests
    except ImportError:  # the standard decision tables may not be installed
        return []
    try:
        translated = translate_unary_tests(text) if kind == "inputEntry" else translate_expression(text)
    except Exception:  # not FEEL: then it is read as Python only
        return []
    return [translated] if translated else []


def cell_readings(text: str, kind: str, language: str | None = None) -> list[str]:
    """Every way a DMN cell may be run: as SpiffWorkflow's Python (with `?` or an implied left-hand side)
    and as FEEL translated to Python; only the one of its table's `language` where that is known. A cell passes
    only if no reading breaks the policy."""
    text = text.strip()
    if not text or text == "-":
        return []
    if language == "feel":
        return _feel_readings(text, kind)
    readings = []
    if kind == "inputEntry":
        replaced = QUESTION_MARK.sub("dmninputexpr", text)
        readings += [replaced] if replaced != text else [text, f"dmninputexpr {text}"]
    else:
        readings.append(text)
    return readings if language == "python" else readings + _feel_readings(text, kind)


def check_decision_cells(path: str, root) -> list[dict]:
    """Input expressions, input entries and output entries of a DMN file against the script policy."""
    check_script = _check_script()
    languages = table_languages(path, root)
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "text":
            continue
        cell = el.getparent()
        kind = etree.QName(cell).localname if cell is not None else ""
        if kind not in ("inputExpression", "inputEntry", "outputEntry") or not (el.text or "").strip():
            continue
        table = next((a for a in cell.iterancestors() if etree.QName(a).localname == "decisionTable"), None)
        messages = []
        for reading in cell_readings(el.text, kind, languages.get(table)):
            for message in check_script(reading, "eval"):
                match = SCRIPT_LINE.match(message)
                message = match.group(2) if match else message
                if not message.startswith("syntax error") and message not in messages:
                    messages.append(message)
        for message in messages:
            decision = _decision_of(cell)
            found.append(problem("scripts", path, f"The cell ({kind}) of decision {decision!r} is refused by the "
                                 f"script policy: {message}", element=cell.get("id") or _owner_id(cell),
                                 line=el.sourceline,
                                 sv=f"{CELL_SV.get(kind, 'Cellen')} i beslutet '{decision}' "
                                 f"({place_sv(path, cell.get('id') or _owner_id(cell), el.sourceline)}) godtas inte "
                                 "av reglerna för uttryck (se docs/expressions.md). Regelns beskrivning på engelska: "
                                 f"{message}"))
    return found


def _decision_of(el) -> str | None:
    while el is not None and (not isinstance(el.tag, str) or etree.QName(el).localname != "decision"):
        el = el.getparent()
    return el.get("id") if el is not None else None


# -- 8. SpiffWorkflow -----------------------------------------------------------------------------------------


def check_spiffworkflow(files: dict[str, str], key: str):
    """SpiffWorkflow's own parse of the set: each file, each process, then the main process with all it
    calls. Returns the parsed process (or None) and the problems."""
    parser = ProcessParser(validate=False)  # the XSD check above already ran, reporting every error
    roots = {}
    found = []

    def _spiff_problem(err: ValidationException, path: str | None) -> dict:
        found = problem_from_validation(err)
        found["file"] = found["file"] or path
        found["check"] = "spiffworkflow"
        if not found["line"] and found["element"] and found["file"] in roots:
            # SpiffWorkflow 3.2 looks for `line_number` on lxml nodes, which have `sourceline`.
            match = roots[found["file"]].xpath("//*[@id=$id]", id=found["element"])
            found["line"] = match[0].sourceline if match else None
        return found

    for kind, add in (("dmn", parser.add_dmn_xml), ("bpmn", parser.add_bpmn_xml)):
        for path, text in sorted(files.items()):
            if kind_of(path) != kind:
                continue
            try:
                roots[path] = parse_xml(text, path)
                add(roots[path], filename=path)
            except ValidationException as err:
                found.append(_spiff_problem(err, path))
            except ProcessSetError as err:
                found.extend({**p, "check": "spiffworkflow"} for p in err.problems)
            except Exception as err:  # noqa: BLE001 -- SpiffWorkflow fails in other ways on odd input
                found.append(problem("spiffworkflow", path, f"SpiffWorkflow cannot read the file: {err}",
                                     sv=f"Processmotorn (SpiffWorkflow) kan inte läsa filen {path}. Öppna den i "
                                     f"modelleraren och spara den igen. Motorns beskrivning på engelska: {err}"))
    if found:
        return None, found
    for process_id in sorted(parser.get_process_ids()):
        try:
            parser.get_spec(process_id)
        except ValidationException as err:
            found.append(_spiff_problem(err, defined_by(parser, process_id)))
        except Exception as err:  # noqa: BLE001
            found.append(problem("spiffworkflow", defined_by(parser, process_id),
                                 f"SpiffWorkflow cannot read the process {process_id!r}: {err}", element=process_id,
                                 sv=f"Processmotorn (SpiffWorkflow) kan inte läsa processen '{process_id}' "
                                 f"({place_sv(defined_by(parser, process_id))}). Motorns beskrivning på engelska: "
                                 f"{err}"))
    if found:
        return None, found
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        return None, [_spiff_problem(err, None)]
    except Exception as err:  # noqa: BLE001
        return None, [problem("spiffworkflow", None, f"SpiffWorkflow cannot read the process {key!r}: {err}",
                              element=key, sv=f"Processmotorn (SpiffWorkflow) kan inte läsa huvudprocessen '{key}'. "
                              f"Motorns beskrivning på engelska: {err}")]
    return ParsedProcess(key=key, spec=spec, subprocess_specs=subprocess_specs), []


def defined_by(parser, process_id: str) -> str | None:
    process_parser = parser.process_parsers.get(process_id)
    return getattr(process_parser, "filename", None) if process_parser is not None else None

