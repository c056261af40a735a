"""Every form of the base and of every region, opened in the studio's form preview and filled in by label as staff
fill it in: each field of its schema has a visible control named by its Swedish title (choices as radio buttons,
checkboxes or a select showing their titles, dates as date pickers, lists with buttons to add and remove rows
titled in Swedish), a valid submission filled in by label passes the checks in the browser and the server's, and
a required field left out is flagged by the browser at the field where the server flags it.

The forms are read from the files on disk, so a new form file is tested without a line here. All forms of a region
are tried in one browser page, and every failure is reported with the form and the field it is about."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine.forms import validate_submission

ROOT = Path(__file__).resolve().parents[2]
REGION_DIRS = sorted(p for p in (ROOT / "processes" / "regions").iterdir() if p.is_dir())
FORM_DIRS = {"base": ROOT / "forms", **{p.name: p / "forms" for p in REGION_DIRS}}
CORRECT = "Formuläret är korrekt ifyllt."
SUBMIT = "Kontrollera formuläret"
DATE = "2025-03-14"
TEXT = "Text i fältet"
# Values tried, in order, for a text field with a pattern.
PATTERNED = ["09:30", DATE, TEXT, "1"]
# Forms where one required field is left out, to compare the browser's flag with the server's (region, form).
LEFT_OUT_SAMPLE = 2


def form_files(region: str) -> list[Path]:
    return sorted(FORM_DIRS[region].glob("*.schema.json"))


def read(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def ui_file(schema_path: Path) -> Path:
    return schema_path.with_name(schema_path.name.replace(".schema.json", ".uischema.json"))


# -- what the form's schema says ---------------------------------------------------------------------------------


def options(prop: dict) -> list[dict] | None:
    found = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(found, list) and found and all(isinstance(o, dict) and "const" in o for o in found):
        return found
    return None


def ordered(schema: dict, ui: dict) -> list[str]:
    """The object's properties in the order the form shows them (`ui:order`, `*` for the rest)."""
    names = list(schema.get("properties") or {})
    order = ui.get("ui:order")
    if not isinstance(order, list):
        return names
    head = [n for n in order if n in names]
    rest = [n for n in names if n not in head]
    if "*" in order:
        at = order.index("*")
        before = [n for n in order[:at] if n in names]
        return before + rest + [n for n in order[at + 1:] if n in names]
    return head + rest


def kind(prop: dict, ui: dict) -> str:
    """How the web app shows a field: object, rows (a list of objects or of text), choices (a list of choices as
    checkboxes), radio, select, checkbox, date, number, text."""
    widget = ui.get("ui:widget")
    if prop.get("type") == "object":
        return "object"
    if prop.get("type") == "array":
        items = prop.get("items") or {}
        return "choices" if options(items) or "enum" in items else "rows"
    if prop.get("type") == "boolean":
        return widget if widget in ("radio", "select") else "checkbox"
    if options(prop) or "enum" in prop:
        return "radio" if widget == "radio" else "select"
    if prop.get("format") == "date":
        return "date"
    if prop.get("type") in ("integer", "number"):
        return "number"
    return "text"


def choice_labels(prop: dict, ui: dict) -> list[tuple[object, str]]:
    """(value, label) of each option of a choice, as the form should show it."""
    if prop.get("type") == "boolean" and not options(prop):
        names = ui.get("ui:enumNames") or ["Ja", "Nej"]
        return list(zip([True, False], names, strict=False))
    found = options(prop)
    if found:
        return [(o["const"], o.get("title", str(o["const"]))) for o in found]
    names = ui.get("ui:enumNames") or [str(v) for v in prop.get("enum", [])]
    return list(zip(prop.get("enum", []), names, strict=False))


def item_title(prop: dict) -> str:
    return (prop.get("items") or {}).get("title") or prop.get("title") or "Rad"


def visible_when(ui: dict) -> dict | None:
    """A field's `visibleWhen` (docs/forms.md): shown only while another field of its group has a value."""
    options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
    rule = options.get("visibleWhen") or ui.get("ui:visibleWhen")
    return rule if isinstance(rule, dict) and isinstance(rule.get("field"), str) else None


def is_shown(ui: dict, group: dict) -> bool:
    rule = visible_when(ui)
    if rule is None:
        return True
    value = group.get(rule["field"])
    return type(value) is type(rule.get("equals")) and value == rule.get("equals")


def without_hidden(prop: dict, ui: dict, data):
    """The data without the fields a `visibleWhen` hides, as the web app sends it."""
    if not isinstance(data, dict):
        return data
    properties = prop.get("properties") or {}
    return {name: without_hidden(properties.get(name) or {}, ui.get(name) or {}, value)
            for name, value in data.items() if is_shown(ui.get(name) or {}, data)}


# -- a valid submission ------------------------------------------------------------------------------------------


def text_value(prop: dict) -> str:
    pattern = prop.get("pattern")
    if not pattern:
        return TEXT
    for candidate in PATTERNED:
        if re.search(pattern, candidate):
            return candidate
    raise AssertionError(f"no sample value fits the pattern {pattern!r}")


def sample(prop: dict, ui: dict, minimal: bool = False):
    """A value for every field (the optional ones too, so that every control is used), or, `minimal`, for the
    fields the form requires only (so that what the form does with fields left empty is checked too)."""
    shown = kind(prop, ui)
    if shown == "object":
        required = prop.get("required") or []
        # A readOnly field shows what the routine put there: nobody fills it in.
        found = {name: sample(child, ui.get(name) or {}, minimal)
                 for name, child in (prop.get("properties") or {}).items()
                 if (not minimal or name in required) and not child.get("readOnly")}
        for name in found if not minimal else []:
            rule = visible_when(ui.get(name) or {})
            if rule and rule["field"] in found:  # every field shown, the conditional ones too
                found[rule["field"]] = rule.get("equals")
        return without_hidden(prop, ui, found)
    if shown == "rows":
        rows = prop.get("minItems", 0) if minimal else max(1, prop.get("minItems", 1))
        return [sample(prop["items"], ui.get("items") or {}, minimal) for _ in range(rows)]
    if shown == "choices":
        return [] if minimal and not prop.get("minItems") else [choice_labels(prop["items"], {})[0][0]]
    if prop.get("type") == "boolean" and not options(prop):
        if "enum" in prop:
            return prop["enum"][0]
        return prop.get("default", True)
    if shown in ("radio", "select"):
        return choice_labels(prop, ui)[0][0]
    if shown == "date":
        return DATE
    if shown == "number":
        low = prop.get("minimum", 0)
        return max(low, min(1, prop.get("maximum", 1)))
    return text_value(prop)


def variations(prop: dict, ui: dict, value, path: tuple = ()):
    """Each other value of the choices in the data (yes/no, a choice, a list empty or not, a field left out
    filled in), as (path, value)."""
    shown = kind(prop, ui)
    if shown == "object" and isinstance(value, dict):
        for name, child in (prop.get("properties") or {}).items():
            if child.get("readOnly"):
                continue
            if name in value:
                yield from variations(child, ui.get(name) or {}, value[name], (*path, name))
            elif kind(child, ui.get(name) or {}) == "rows":
                yield (*path, name), [sample(child["items"], (ui.get(name) or {}).get("items") or {}, minimal=True)]
            else:
                yield (*path, name), sample(child, ui.get(name) or {}, minimal=True)
        return
    if shown == "rows":
        if value:
            yield path, []
            for index, row in enumerate(value):
                yield from variations(prop["items"], ui.get("items") or {}, row, (*path, index))
        else:
            yield path, [sample(prop["items"], ui.get("items") or {}, minimal=True)]
        return
    if prop.get("type") == "boolean" and "enum" not in prop:
        yield path, not value
        return
    if shown in ("radio", "select"):
        for other, _label in choice_labels(prop, ui):
            if other != value:
                yield path, other


def changed(data, path: tuple, value):
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def valid_submission(schema: dict, ui: dict, minimal: bool = False) -> dict:
    """Every field filled in (`minimal`: every required one), then the yes/no questions, choices and lists changed
    and fields left out filled in, one at a time, the change that leaves the fewest errors first, until the
    server's check passes (the forms' if/then rules)."""
    data = sample(schema, ui, minimal)
    errors = validate_submission(schema, data)
    for _ in range(12):
        if not errors:
            return data
        candidates = (without_hidden(schema, ui, changed(data, path, value))
                      for path, value in variations(schema, ui, data))
        tried = [(validate_submission(schema, other), other) for other in candidates]
        best = min(tried, key=lambda t: len(t[0]), default=None)
        if best is None or len(best[0]) >= len(errors):
            break
        errors, data = best
    raise AssertionError(f"no valid submission found: {[(e.field, e.message) for e in errors]}")


def left_out(schema: dict, data: dict, path: tuple = ()) -> tuple | None:
    """A required text field without a default (in the form, or in a required group of it): to leave out."""
    for name in schema.get("required") or []:
        prop = (schema.get("properties") or {}).get(name) or {}
        if name not in data:
            continue
        if kind(prop, {}) == "text" and "default" not in prop:
            return (*path, name)
        if kind(prop, {}) == "object":
            found = left_out(prop, data[name], (*path, name))
            if found:
                return found
    return None


def without(data: dict, path: tuple, blank=False) -> dict:
    """The data without the field at `path` (with None there instead, for the filler to leave it: `blank`)."""
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    if blank:
        node[path[-1]] = None
    else:
        del node[path[-1]]
    return data


# -- the page ---------------------------------------------------------------------------------------------------


def label(title: str, numbered: bool = False) -> re.Pattern:
    """A control's or a group's label (or name): its title, with "(obligatoriskt)" where it is required (and the
    "*" seen beside it, in a label's text); `numbered`: any row of a list titled so ("Huvudman 3")."""
    number = r" \d+" if numbered else ""
    return re.compile(rf"^{re.escape(title)}{number}( \*)?( \(obligatoriskt\))?$")


class Problems(list):
    def add(self, form: str, field: str, message: str) -> None:
        self.append(f"{form}: {field or '(formuläret)'}: {message}")


class Filler:
    """Finds each field's control by its Swedish label within its group, checks that it is the kind of control the
    field needs, and fills in the value (None: leave it as it is; `only_given`: the fields not in the data are
    left as they are, unchecked)."""

    def __init__(self, page, form: str, problems: Problems, only_given: bool = False):
        self.page, self.form, self.problems, self.only_given = page, form, problems, only_given

    def fail(self, path: tuple, message: str) -> None:
        self.problems.add(self.form, "/".join(map(str, path)), message)

    def one(self, locator, path: tuple, what: str, own_id: bool = False):
        """The single visible control a locator finds, or None after reporting what was found instead. With
        `own_id`, where another field of the form has the same label (a group's "Namn" and the form's own), the
        one of them with the renderer's id of the field's path."""
        visible = locator.filter(visible=True)
        count = visible.count()
        if count > 1 and own_id:
            visible = visible.and_(self.page.locator(f"[id='{'_'.join(['root', *map(str, path)])}']"))
            count = visible.count()
        if count == 1:
            return visible
        hidden = locator.count() - count
        self.fail(path, f"{what}: expected one visible control, found {count or 'none'}"
                        + (f" ({hidden} hidden)" if hidden > 0 else ""))
        return None

    def object(self, scope, schema: dict, ui: dict, data: dict, path: tuple = ()) -> None:
        names = ordered(schema, ui)
        # A field shown only for some answers (`visibleWhen`) after the fields whose answers decide it.
        for name in sorted(names, key=lambda n: visible_when(ui.get(n) or {}) is not None):
            prop, field_ui = schema["properties"][name], ui.get(name) or {}
            rule = visible_when(field_ui)
            if rule and rule["field"] in data and not is_shown(field_ui, data):
                self.hidden(scope, prop, field_ui, (*path, name))
            elif not (self.only_given and name not in data):
                self.field(scope, prop, field_ui, data.get(name), (*path, name))
        self.in_order(path, names)

    def hidden(self, scope, prop: dict, ui: dict, path: tuple) -> None:
        """A field whose `visibleWhen` does not hold for the answers: not shown."""
        title = prop.get("title") or path[-1]
        grouped = kind(prop, ui) in ("object", "rows", "choices", "radio")
        found = scope.get_by_role("group", name=label(title)) if grouped else scope.get_by_label(label(title))
        if found.filter(visible=True).count():
            self.fail(path, f"”{title}” is shown, though its visibleWhen {visible_when(ui)} does not hold")

    def in_order(self, path: tuple, names: list[str]) -> None:
        """The fields show in the order of the form (its `ui:order`, else its schema's): each field's element
        has the renderer's id of its path (root_deltagare_0_namn)."""
        ids = ["_".join(["root", *map(str, path), name]) for name in names]
        shown = self.page.evaluate("""ids => ids.map(id => document.getElementById(id)).filter(Boolean)
            .sort((a, b) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1)
            .map(e => e.id)""", ids)
        if shown != [i for i in ids if i in shown]:
            self.fail(path, f"the fields show in the order {shown}, not {ids}")

    def field(self, scope, prop: dict, ui: dict, value, path: tuple) -> None:
        title = prop.get("title") or path[-1]
        shown = kind(prop, ui)
        if shown == "object":
            group = self.one(scope.get_by_role("group", name=label(title)), path, f"group ”{title}”")
            if group is not None:
                self.object(group, prop, ui, value or {}, path)
        elif shown == "rows":
            self.rows(scope, prop, ui, value, path, title)
        elif shown == "choices":
            group = self.one(scope.get_by_role("group", name=label(title)), path, f"group ”{title}”")
            if group is None:
                return
            for option, text in choice_labels(prop["items"], {}):
                box = self.one(group.get_by_role("checkbox", name=text, exact=True), path, f"checkbox ”{text}”")
                if box is not None and value is not None:
                    box.set_checked(option in value)
        elif shown == "radio":
            group = self.one(scope.get_by_role("group", name=label(title)), path, f"radio group ”{title}”")
            if group is None:
                return
            for option, text in choice_labels(prop, ui):
                radio = self.one(group.get_by_role("radio", name=text, exact=True), path, f"radio button ”{text}”")
                if radio is not None and option == value:
                    radio.check()
        elif shown == "select":
            select = self.one(scope.get_by_role("combobox", name=label(title)), path, f"select ”{title}”", True)
            if select is None:
                return
            texts = [t.strip() for t in select.locator("option").all_inner_texts()]
            labels = choice_labels(prop, ui)
            missing = [text for _, text in labels if text not in texts]
            if missing:
                self.fail(path, f"the select ”{title}” lacks the options {missing} (it has {texts})")
            elif value is not None:
                select.select_option(label=dict(labels)[value])
        elif shown == "checkbox":
            box = self.one(scope.get_by_role("checkbox", name=label(title)), path, f"checkbox ”{title}”", True)
            if box is not None and value is not None:
                box.set_checked(bool(value))
        else:
            control = self.one(scope.get_by_label(label(title)), path, f"field ”{title}”", True)
            if control is None:
                return
            kind_of_input = control.evaluate("e => e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()")
            expected = {"date": ("date",), "number": ("number", "text"), "text": ("text", "textarea")}[shown]
            if kind_of_input not in expected:
                self.fail(path, f"”{title}” is shown as {kind_of_input}, not as {' or '.join(expected)}")
            elif value is not None:
                control.fill(str(value))

    def rows(self, scope, prop: dict, ui: dict, value, path: tuple, title: str) -> None:
        group = self.one(scope.get_by_role("group", name=label(title)), path, f"list ”{title}”")
        if group is None:
            return
        row = item_title(prop)
        add = self.one(group.get_by_role("button", name=f"Lägg till i {title}", exact=True), path,
                       f"button ”Lägg till i {title}”")
        if add is None:
            return
        wanted = len(value or [])
        # Every list adds a row and takes it away again, by its buttons; then gets the rows of the data.
        rows = self.rows_of(group, prop, row)
        before = rows.count()
        extra = before + 1
        add.click()
        try:
            expect(rows).to_have_count(extra)
        except AssertionError:
            self.fail(path, f"”Lägg till i {title}” did not add the row ”{row} {extra}”")
            return
        remove = self.one(group.get_by_role("button", name=f"Ta bort {row} {extra}", exact=True), path,
                          f"button ”Ta bort {row} {extra}”")
        if remove is None:
            return
        remove.click()
        expect(rows).to_have_count(before)
        for count in range(before, wanted):
            add.click()
            expect(rows).to_have_count(count + 1)
        items, item_ui = prop["items"], ui.get("items") or {}
        for index, item in enumerate(value or []):
            name = f"{row} {index + 1}"
            if items.get("type") == "object":
                found = self.one(group.get_by_role("group", name=label(name)), (*path, index), f"row ”{name}”")
                if found is not None:
                    self.object(found, items, item_ui, item, (*path, index))
            else:
                self.field(group, {**items, "title": name}, item_ui, item, (*path, index))

    def rows_of(self, group, prop: dict, row: str):
        """The rows of a list: groups named by the row's title and number, or fields labelled so."""
        if (prop.get("items") or {}).get("type") == "object":
            return group.get_by_role("group", name=label(row, numbered=True))
        return group.get_by_label(label(row, numbered=True))


def open_preview(page, region: str, name: str, title: str) -> None:
    page.goto(f"/formular/{region}/{name}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def start_over(page) -> None:
    """"Töm formuläret": the form as it was opened, without the last check's notice or errors."""
    page.get_by_role("button", name="Töm formuläret").click()
    expect(page.get_by_text(CORRECT, exact=True)).to_have_count(0)
    expect(page.locator(".error-summary")).to_have_count(0)


def outcome(page) -> str:
    """After "Kontrollera formuläret": the notice that it is correct, or the error summary's text."""
    correct = page.get_by_text(CORRECT, exact=True)
    summary = page.locator(".error-summary")
    expect(correct.or_(summary)).to_be_visible()
    return CORRECT if correct.is_visible() else summary.inner_text()


def submitted_correct(page, problems: Problems, form: str, data: dict) -> bool:
    """Submits the form; True when the page says it is correct, else the refusal is one of the problems."""
    page.get_by_role("button", name=SUBMIT).click()
    said = outcome(page)
    if said != CORRECT:
        problems.add(form, "", f"a valid submission {json.dumps(data, ensure_ascii=False)} was refused:\n{said}")
    return said == CORRECT


def flagged(page) -> set[str]:
    """The fields the error summary names, as slash paths (its links go to the fields' ids, root_a_0_b)."""
    expect(page.locator(".error-summary")).to_be_visible()
    hrefs = page.locator(".error-summary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return {h.removeprefix("#root_") for h in hrefs}


def as_flag(field: str) -> str:
    return field.replace("/", "_")


# -- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", list(FORM_DIRS))
def test_every_form_of_the_region_is_filled_in_by_label_and_checked_alike(region, page_as, api_as, axe):
    files = form_files(region)
    assert files, f"{region} has a forms folder with no form in it"
    page = page_as("demo.eva")
    call = api_as("demo.eva")
    problems = Problems()
    left_out_tried = 0
    for index, path in enumerate(files):
        name = path.name.removesuffix(".schema.json")
        schema, ui = read(path), read(ui_file(path))
        form, title = f"{region}/{name}", schema.get("title") or name
        full = valid_submission(schema, ui)
        status, checked = call("POST", f"/forms/{name}/validate?region={region}", {"data": full})
        assert status == 200 and checked["valid"], (form, checked)

        # Every field, filled in by label.
        open_preview(page, region, name, title)
        if index == 0:
            axe(page, f"the preview of {form}")
        before = len(problems)
        Filler(page, form, problems).object(page.locator(".form-root"), schema, ui, full)
        if len(problems) > before:
            continue  # a field without its control: the checks below would only repeat it
        if not submitted_correct(page, problems, form, full):
            continue

        # Only the fields the form requires: what the form does with the others left empty passes both checks.
        minimal = valid_submission(schema, ui, minimal=True)
        start_over(page)
        Filler(page, f"{form} (only what it requires)", problems, only_given=True).object(
            page.locator(".form-root"), schema, ui, minimal)
        submitted_correct(page, problems, f"{form} (only what it requires)", minimal)

        # A required field left out: flagged by the browser where the server flags it.
        missing = left_out(schema, full) if left_out_tried < LEFT_OUT_SAMPLE else None
        if missing is None:
            continue
        left_out_tried += 1
        status, server = call("POST", f"/forms/{name}/validate?region={region}", {"data": without(full, missing)})
        server_fields = {as_flag(e["field"]) for e in server["errors"]}
        assert server_fields == {"_".join(missing)}, (form, server)
        start_over(page)
        Filler(page, form, problems).object(page.locator(".form-root"), schema, ui, without(full, missing, True))
        page.get_by_role("button", name=SUBMIT).click()
        client_fields = flagged(page)
        if client_fields != server_fields:
            problems.add(form, "/".join(missing), f"left out, the browser flags {sorted(client_fields)} where the "
                                                  f"server flags {sorted(server_fields)}")
        if left_out_tried == 1:
            axe(page, f"the preview of {form} with a field to correct")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_process_owners_find_the_forms_in_the_menu_and_open_one_by_keyboard(page_as, axe):
    page = page_as("demo.helena")  # process owner in Region Stockholm
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Formulär").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulär")
    region = page.get_by_label("Region", exact=True)
    expect(region).to_have_value("stockholm")  # the user's own region first
    expect(page.get_by_role("link", name="Erbjud SIP-kollen")).to_be_visible()
    axe(page, "the list of forms")

    region.select_option(label="Nationell grundrutin")
    expect(page).to_have_url(re.compile(r"/formular\?region=base$"))
    forms = page.get_by_role("table", name="Formulär i Nationell grundrutin")
    expect(forms.get_by_role("row")).to_have_count(1 + len(form_files("base")))
    expect(page.get_by_role("link", name="Erbjud SIP-kollen")).to_have_count(0)
    expect(forms.get_by_role("row", name=re.compile(r"^Inhämta samtycke"))).to_contain_text(
        "inhamta_samtycke.schema.json")

    # By keyboard: from the region's select to the first form, opened with Enter.
    region.focus()
    first = forms.get_by_role("link").first
    for _ in range(5):
        page.keyboard.press("Tab")
        if first.evaluate("e => e === document.activeElement"):
            break
    title = first.inner_text()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_url(re.compile(r"/formular/base/"))
    page.get_by_role("link", name="Formulär", exact=True).last.click()
    expect(page.get_by_label("Region", exact=True)).to_have_value("base")


def test_staff_without_the_role_see_no_menu_entry_but_may_open_a_preview(page_as):
    page = page_as("demo.per")
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Formulär")).to_have_count(0)
    page.goto("/formular/kristianstad/forbered_sip")
    expect(page.get_by_role("heading", level=1)).to_have_text(read(
        ROOT / "processes" / "regions" / "kristianstad" / "forms" / "forbered_sip.schema.json")["title"])
    page.goto("/formular/kristianstad/hittepa")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formuläret finns inte")
