"""Read the decisions of one DMN file (``<definitions>``) into `StandardDecisionTable`s.

Everything that cannot run as the standard says is refused here, at load time, with a
`DecisionTableError` naming the file, decision, rule (1-based) and column and saying what to write.

Several decisions may share one file; ``informationRequirement/requiredDecision href="#id"`` makes a
decision read the outputs of another (see `table_engine`). ``inputData``, ``knowledgeSource``, text
annotations, associations and the ``DMNDI`` diagram are ignored."""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.dmn.specs.model import Input, InputEntry, Output, OutputEntry, Rule

from .errors import DecisionTableError, FeelSyntaxError
from .feel import RESERVED_PREFIX, parse_literal_list, translate_expression, translate_unary_tests
from .language import classify, normalise_language, python_expression_ok, python_input_entry_ok
from .model import FEEL, PYTHON, Aggregation, HitPolicy, StandardDecisionTable

DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}

HIT_POLICY_HINT = "use one of UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER"


def local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node, name: str) -> list:
    return [c for c in node if local(c) == name]


def _text_of(node) -> str | None:
    """The <text> of an entry or expression element (None when there is none)."""
    if node is None:
        return None
    texts = _children(node, "text")
    return texts[0].text if texts else None


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


class DefinitionsReader:
    """Reads one DMN document; `read()` returns {decision id: StandardDecisionTable}."""

    def __init__(self, root, filename: str | None = None):
        self.root = root
        self.filename = filename or ""
        self.decision_id = None
        self.python_evidence = None

    def error(self, message, *, rule=None, column=None, cell=None, hint=None, node=None):
        if self.python_evidence is not None and cell is not None:
            py_rule, py_column, py_text = self.python_evidence
            where = f"rule {py_rule}, " if py_rule else ""
            hint = ((hint + ". ") if hint else "") + (
                f"The table also has FEEL-only cells, so it is read as FEEL; if it is meant to be Python "
                f"(like {where}column '{py_column}': {py_text!r}), set expressionLanguage=\"python\"")
        return DecisionTableError(message, file_name=self.filename, decision_id=self.decision_id,
                                  rule_number=rule, column=column, cell=cell, hint=hint, node=node)

    def read(self) -> dict[str, StandardDecisionTable]:
        if local(self.root) != "definitions":
            raise self.error(f"not a DMN file: the root element is <{local(self.root)}>", node=self.root)
        namespace = etree.QName(self.root).namespace
        if namespace not in DMN_NAMESPACES:
            raise self.error(f"unknown DMN namespace {namespace!r}",
                             hint="save the file as DMN 1.3 (https://www.omg.org/spec/DMN/20191111/MODEL/)",
                             node=self.root)
        try:
            self.default_language = normalise_language(self.root.get("expressionLanguage"))
        except ValueError as err:
            raise self.error(f"expression language {err} is not supported",
                             hint="use FEEL (the default) or python", node=self.root) from err
        tables = {}
        for child in self.root:
            name = local(child)
            if name == "decision":
                table = self.read_decision(child)
                if table.decision_id in tables:
                    raise self.error(f"two decisions have the id '{table.decision_id}'", node=child)
                tables[table.decision_id] = table
            elif name == "businessKnowledgeModel" or name == "decisionService":
                raise self.error(f"<{name}> is not supported", node=child,
                                 hint="model the logic as decision tables linked by requirements")
        if not tables:
            raise self.error("the file holds no decision", node=self.root)
        self.decision_id = None
        self._check_cycles(tables)
        return tables

    # -- decisions -------------------------------------------------------------------------------------

    def read_decision(self, node) -> StandardDecisionTable:
        self.decision_id = node.get("id")
        if not self.decision_id:
            raise self.error("a decision has no id", node=node)
        tables = _children(node, "decisionTable")
        if len(tables) != 1:
            other = [local(c) for c in node if local(c) in ("literalExpression", "context", "invocation",
                                                             "relation", "list", "functionDefinition")]
            what = f"a <{other[0]}>" if other else "no decision table"
            raise self.error(f"the decision has {what}; only decision tables are supported", node=node,
                             hint="open the decision in the modeler and make it a decision table")
        table = self.read_table(node, tables[0])
        for requirement in _children(node, "informationRequirement"):
            for required in _children(requirement, "requiredDecision"):
                href = required.get("href", "")
                target = href.split("#", 1)[-1]
                if not target:
                    raise self.error("a required decision has no href", node=required)
                table.required_ids.append(target)
        return table

    def _check_cycles(self, tables) -> None:
        for start in tables:
            seen = []
            stack = [(start, [start])]
            while stack:
                current, path = stack.pop()
                for nxt in tables[current].required_ids if current in tables else []:
                    if nxt in path:
                        self.decision_id = start
                        raise self.error("decisions require each other in a cycle: " + " -> ".join(path + [nxt]))
                    if nxt not in seen:
                        seen.append(nxt)
                        stack.append((nxt, path + [nxt]))

    # -- tables ----------------------------------------------------------------------------------------

    def read_table(self, decision_node, node) -> StandardDecisionTable:
        raw_policy = (node.get("hitPolicy") or "UNIQUE").strip().upper()
        try:
            policy = HitPolicy(raw_policy)
        except ValueError as err:
            raise self.error(f"unknown hit policy {raw_policy!r}", hint=HIT_POLICY_HINT, node=node) from err
        aggregation = None
        if node.get("aggregation"):
            raw = node.get("aggregation").strip().upper()
            try:
                aggregation = Aggregation(raw)
            except ValueError as err:
                raise self.error(f"unknown aggregation {raw!r}", hint="use SUM, COUNT, MIN or MAX",
                                 node=node) from err
            if policy is not HitPolicy.COLLECT:
                raise self.error(f"aggregation {raw} needs hit policy COLLECT, not {policy.value}", node=node,
                                 hint="set the hit policy to COLLECT (C+, C#, C<, C>) or remove the aggregation")
        language = self.table_language(node)
        table = StandardDecisionTable(node.get("id") or f"{self.decision_id}_table", node.get("name", ""),
                                      policy.value, decision_id=self.decision_id,
                                      decision_name=decision_node.get("name", ""), file_name=self.filename,
                                      aggregation=aggregation.value if aggregation else None, language=language)
        for child in node:
            name = local(child)
            if name == "input":
                table.inputs.append(self.read_input(table, child))
            elif name == "output":
                table.outputs.append(self.read_output(table, child))
        if not table.outputs:
            raise self.error("the table has no output column", node=node)
        if aggregation and len(table.outputs) != 1:
            raise self.error(f"aggregation {aggregation.value} needs exactly one output column, "
                             f"the table has {len(table.outputs)}", node=node,
                             hint="split the table, or use COLLECT without aggregation")
        if policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not table.output_values:
            raise self.error(f"hit policy {policy.value} orders rules by the output values, but no output lists "
                             "its values", node=node,
                             hint='fill in the output column\'s "Output values", e.g. "high","medium","low"')
        keys = [table.output_key(o) for o in table.outputs]
        if len(set(keys)) != len(keys):
            raise self.error("two output columns have the same name", node=node)
        number = 0
        for child in node:
            if local(child) == "rule":
                number += 1
                table.rules.append(self.read_rule(table, child, number))
        return table

    def table_language(self, node) -> str:
        explicit = {}
        for element in node.iter():
            if not isinstance(element.tag, str) or element.get("expressionLanguage") is None:
                continue
            try:
                lang = normalise_language(element.get("expressionLanguage"))
            except ValueError as err:
                raise self.error(f"expression language {err} is not supported", node=element,
                                 hint="use FEEL (the default) or python") from err
            if lang:
                explicit.setdefault(lang, element)
        self.python_evidence = None
        if len(explicit) > 1:
            raise self.error("the table mixes FEEL and Python cells", node=explicit[PYTHON],
                             hint="use one expression language per decision table")
        if explicit:
            return next(iter(explicit))
        if self.default_language:
            return self.default_language
        return self.guess_language(node)

    def guess_language(self, node) -> str:
        evidence = {}
        inputs = _children(node, "input")
        outputs = _children(node, "output")
        for column, element in enumerate(inputs):
            text = _text_of(_first(element, "inputExpression"))
            found = classify("expression", text)
            if found:
                evidence.setdefault(found, (None, self._input_label(element, column), text))
        number = 0
        for rule in _children(node, "rule"):
            number += 1
            for column, entry in enumerate(_children(rule, "inputEntry")):
                text = _text_of(entry)
                found = classify("input_entry", text)
                if found:
                    label = self._input_label(inputs[column], column) if column < len(inputs) else str(column + 1)
                    evidence.setdefault(found, (number, label, text))
            for column, entry in enumerate(_children(rule, "outputEntry")):
                text = _text_of(entry)
                found = classify("expression", text)
                if found:
                    label = self._output_label(outputs[column]) if column < len(outputs) else str(column + 1)
                    evidence.setdefault(found, (number, label, text))
        self.python_evidence = None
        if PYTHON in evidence and FEEL in evidence:
            # FEEL (the standard's default) wins; the Python-looking cells are then refused one by one
            # with a hint naming the language attribute.
            self.python_evidence = evidence[PYTHON]
            return FEEL
        return PYTHON if PYTHON in evidence else FEEL

    @staticmethod
    def _input_label(element, column: int) -> str:
        return element.get("label") or _text_of(_first(element, "inputExpression")) or f"input {column + 1}"

    @staticmethod
    def _output_label(element) -> str:
        return element.get("label") or element.get("name") or "output"

    def read_input(self, table, node) -> Input:
        expression_node = _first(node, "inputExpression")
        text = _text_of(expression_node)
        type_ref = expression_node.get("typeRef", "") if expression_node is not None else ""
        label = node.get("label", "")
        column = label or text or f"input {len(table.inputs) + 1}"
        if table.language == FEEL:
            if _blank(text):
                raise self.error("the input column has no expression", column=column, node=node,
                                 hint="enter the variable it tests, e.g. alder or person.alder")
            try:
                python = translate_expression(text)
            except FeelSyntaxError as err:
                raise self.error(f"input expression is not supported FEEL: {err}", column=column, cell=text,
                                 hint=err.hint or "use a variable name or a dotted path such as person.alder",
                                 node=node) from err
            table.sources[node.get("id")] = text.strip()
        else:
            python = text.strip() if not _blank(text) else None
            if python is not None and not python_expression_ok(python):
                raise self.error("the input expression is not valid Python", column=column, cell=text, node=node)
        return Input(node.get("id"), label, node.get("name", ""), python, type_ref)

    def read_output(self, table, node) -> Output:
        output = Output(node.get("id"), node.get("label", ""), node.get("name", ""), node.get("typeRef", ""))
        column = output.label or output.name or f"output {len(table.outputs) + 1}"
        key = table.output_key(output)
        if not key:
            raise self.error("the output column has no name", column=column, node=node,
                             hint="give it the name of the variable the result goes to")
        if table.language == FEEL and (not key.isidentifier() or key.startswith((RESERVED_PREFIX, "_"))):
            raise self.error(f"the output name {key!r} is not a plain variable name", column=column, node=node,
                             hint="use letters, digits and _ only, e.g. uppfyller_kriterier")
        values = _first(node, "outputValues")
        if values is not None and not _blank(_text_of(values)):
            try:
                table.output_values[output.id] = parse_literal_list(_text_of(values))
            except FeelSyntaxError as err:
                raise self.error(f"the output values are not a list of literals: {err}", column=column,
                                 cell=_text_of(values), hint=err.hint, node=values) from err
        if _first(node, "defaultOutputEntry") is not None:
            raise self.error("default output entries are not supported", column=column, node=node,
                             hint="add a last rule with '-' in every input cell instead (hit policy FIRST)")
        return output

    def read_rule(self, table, node, number: int) -> Rule:
        rule = Rule(node.get("id") or f"{table.id}_rule_{number}")
        rule.row_number = number
        descriptions = _children(node, "description")
        annotations = [_text_of(a) for a in _children(node, "annotationEntry")]
        rule.description = (descriptions[0].text if descriptions else None) or " ".join(a for a in annotations if a)
        entries = _children(node, "inputEntry")
        outputs = _children(node, "outputEntry")
        if len(entries) != len(table.inputs) or len(outputs) != len(table.outputs):
            raise self.error(f"the rule has {len(entries)} input and {len(outputs)} output cells, the table "
                             f"{len(table.inputs)} input and {len(table.outputs)} output columns",
                             rule=number, node=node)
        for column, entry_node in enumerate(entries):
            rule.inputEntries.append(self.read_input_entry(table, rule, column, entry_node))
        for column, entry_node in enumerate(outputs):
            rule.outputEntries.append(self.read_output_entry(table, rule, column, entry_node))
        return rule

    def read_input_entry(self, table, rule, column, node) -> InputEntry:
        my_input = table.inputs[column]
        entry = InputEntry(node.get("id") or f"{rule.id}_in_{column}", my_input)
        descriptions = _children(node, "description")
        entry.description = descriptions[0].text or "" if descriptions else ""
        text = _text_of(node)
        label = table.column_label(my_input)
        if text is None or text.strip() in ("", "-"):
            entry.lhs.append(None)
            table.sources[entry.id] = "-"
            return entry
        table.sources[entry.id] = text.strip()
        if table.language == FEEL:
            try:
                entry.lhs.append(translate_unary_tests(text))
            except FeelSyntaxError as err:
                raise self.error(f"the cell is not a supported FEEL test: {err}", rule=rule.row_number,
                                 column=label, cell=text.strip(), node=node,
                                 hint=err.hint or 'write e.g. - , 3, "text", < 3, [1..5], "a","b", not("x") or null'
                                 ) from err
        else:
            if not python_input_entry_ok(text):
                raise self.error("the cell is not a valid Python test", rule=rule.row_number, column=label,
                                 cell=text.strip(), node=node, hint="write e.g. > 3, == 'a' or 4 < ? < 6")
            entry.lhs.append(text)
        return entry

    def read_output_entry(self, table, rule, column, node) -> OutputEntry:
        output = table.outputs[column]
        entry = OutputEntry(node.get("id") or f"{rule.id}_out_{column}", output)
        descriptions = _children(node, "description")
        entry.description = descriptions[0].text or "" if descriptions else ""
        text = _text_of(node)
        label = output.label or output.name
        table.sources[entry.id] = (text or "").strip()
        if _blank(text):
            entry.text = ""
            return entry
        if table.language == FEEL:
            try:
                entry.text = translate_expression(text)
            except FeelSyntaxError as err:
                raise self.error(f"the output is not a supported FEEL expression: {err}", rule=rule.row_number,
                                 column=label, cell=text.strip(), node=node,
                                 hint=err.hint or 'write a literal ("text", 3, true), a variable or simple '
                                                  "arithmetic such as antal + 1") from err
        else:
            if not python_expression_ok(text):
                raise self.error("the output is not a valid Python expression", rule=rule.row_number,
                                 column=label, cell=text.strip(), node=node)
            entry.text = text
        allowed = table.output_values.get(output.id)
        if allowed is not None and table.language == FEEL:
            try:
                literal = parse_literal_list(text)
            except FeelSyntaxError:
                literal = None
            if literal is not None and len(literal) == 1 and literal[0] not in allowed:
                raise self.error(f"the output {literal[0]!r} is not one of the column's output values {allowed}",
                                 rule=rule.row_number, column=label, cell=text.strip(), node=node,
                                 hint="add it to the output values or correct the cell")
        return entry


def _first(node, name: str):
    found = _children(node, name)
    return found[0] if found else None


def read_definitions(root, filename: str | None = None) -> dict[str, StandardDecisionTable]:
    """All decisions of a DMN document, by id."""
    return DefinitionsReader(root, filename).read()
