// The properties panel's groups for what the engine reads from a diagram, in Swedish: a user task's form, whom it
// is for (its lane, or `candidateGroups`), its due date, the instructions staff read, a business rule task's
// called decision, a call activity's called process, and the scripts an activity runs. Each change is a command of
// the modeler, so it can be undone and it starts the checks of the draft.
import { createElement as h, type ComponentType } from "@bpmn-io/properties-panel/preact";
import {
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
  TextAreaEntry,
  TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

export interface ModdleElement {
  $type: string;
  $instanceOf(type: string): boolean;
  get(name: string): unknown;
  [key: string]: unknown;
}

export interface Shape {
  id: string;
  type: string;
  businessObject: ModdleElement;
}

interface Modeling {
  updateProperties(element: Shape, properties: Record<string, unknown>): void;
  updateModdleProperties(element: Shape, target: ModdleElement, properties: Record<string, unknown>): void;
}

interface BpmnFactory {
  create(type: string, attributes?: Record<string, unknown>): ModdleElement;
}

interface ElementRegistry {
  filter(test: (element: Shape) => boolean): Shape[];
}

interface Debounce {
  (fn: (value: string) => void): (value: string) => void;
}

interface EntryProps {
  element: Shape;
  id: string;
  label: string;
  description?: string;
  getValue: () => string;
  setValue: (value: string) => void;
  debounce: Debounce;
  rows?: number;
  monospace?: boolean;
}

const TextField = TextFieldEntry as ComponentType<EntryProps>;
const TextArea = TextAreaEntry as ComponentType<EntryProps>;

// -- reading and writing what the engine reads ------------------------------------------------------------------

function extensionValues(bo: ModdleElement): ModdleElement[] {
  const extensions = bo.get("extensionElements") as ModdleElement | undefined;
  return ((extensions?.get("values") as ModdleElement[] | undefined) ?? []).slice();
}

function propertiesElement(bo: ModdleElement): ModdleElement | undefined {
  return extensionValues(bo).find((value) => value.$instanceOf("spiffworkflow:Properties"));
}

/** A `spiffworkflow:property` of the element by name ('' when it has none). */
export function propertyValue(bo: ModdleElement, name: string): string {
  const properties = (propertiesElement(bo)?.get("properties") as ModdleElement[] | undefined) ?? [];
  const found = properties.find((p) => p.get("name") === name);
  return (found?.get("value") as string | undefined) ?? "";
}

/** The element's extension elements, made when it has none. */
function ensureExtensions(element: Shape, modeling: Modeling, factory: BpmnFactory): ModdleElement {
  const bo = element.businessObject;
  let extensions = bo.get("extensionElements") as ModdleElement | undefined;
  if (!extensions) {
    extensions = factory.create("bpmn:ExtensionElements", { values: [] });
    modeling.updateProperties(element, { extensionElements: extensions });
  }
  return extensions;
}

function setProperty(element: Shape, name: string, value: string, modeling: Modeling, factory: BpmnFactory) {
  const text = value.trim();
  const bo = element.businessObject;
  let holder = propertiesElement(bo);
  if (!holder) {
    if (!text) return;
    const extensions = ensureExtensions(element, modeling, factory);
    holder = factory.create("spiffworkflow:Properties", { properties: [] });
    modeling.updateModdleProperties(element, extensions, { values: [...extensionValues(bo), holder] });
  }
  const properties = ((holder.get("properties") as ModdleElement[] | undefined) ?? []).slice();
  const found = properties.find((p) => p.get("name") === name);
  if (!text) {
    if (found) modeling.updateModdleProperties(element, holder, { properties: properties.filter((p) => p !== found) });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value: text });
  } else {
    const made = factory.create("spiffworkflow:Property", { name, value: text });
    modeling.updateModdleProperties(element, holder, { properties: [...properties, made] });
  }
}

/** The text of a body-only extension element (`spiffworkflow:preScript`, `calledDecisionId`, …). */
export function bodyValue(bo: ModdleElement, type: string): string {
  return (extensionValues(bo).find((value) => value.$instanceOf(type))?.get("value") as string | undefined) ?? "";
}

function setBody(element: Shape, type: string, value: string, modeling: Modeling, factory: BpmnFactory) {
  const bo = element.businessObject;
  const found = extensionValues(bo).find((each) => each.$instanceOf(type));
  const empty = !value.trim();
  if (found && empty) {
    const extensions = bo.get("extensionElements") as ModdleElement;
    modeling.updateModdleProperties(element, extensions, {
      values: extensionValues(bo).filter((each) => each !== found),
    });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else if (!empty) {
    const extensions = ensureExtensions(element, modeling, factory);
    const made = factory.create(type, { value });
    modeling.updateModdleProperties(element, extensions, { values: [...extensionValues(bo), made] });
  }
}

function documentationText(bo: ModdleElement): string {
  const docs = (bo.get("documentation") as ModdleElement[] | undefined) ?? [];
  return (docs[0]?.get("text") as string | undefined) ?? "";
}

function setDocumentation(element: Shape, value: string, modeling: Modeling, factory: BpmnFactory) {
  const docs = ((element.businessObject.get("documentation") as ModdleElement[] | undefined) ?? []).slice();
  if (docs[0]) {
    if (value.trim()) modeling.updateModdleProperties(element, docs[0], { text: value });
    else modeling.updateProperties(element, { documentation: docs.slice(1) });
  } else if (value.trim()) {
    modeling.updateProperties(element, { documentation: [factory.create("bpmn:Documentation", { text: value })] });
  }
}

/** A lane's name as the engine makes a candidate group of it: 'Primärvård' → 'primarvard'. */
export function groupName(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .join("_");
}

function laneOf(element: Shape, registry: ElementRegistry): string | null {
  const lanes = registry.filter((each) => each.type === "bpmn:Lane");
  const bo = element.businessObject;
  const lane = lanes.find((each) =>
    ((each.businessObject.get("flowNodeRef") as ModdleElement[] | undefined) ?? []).includes(bo),
  );
  return (lane?.businessObject.get("name") as string | undefined) ?? null;
}

// -- entries ----------------------------------------------------------------------------------------------------

interface Props {
  element: Shape;
  id: string;
}

function useWrite() {
  return {
    modeling: useService<Modeling>("modeling"),
    factory: useService<BpmnFactory>("bpmnFactory"),
    debounce: useService<Debounce>("debounceInput"),
  };
}

function propertyEntry(name: string, label: string, description?: string) {
  return function PropertyEntry({ element, id }: Props) {
    const { modeling, factory, debounce } = useWrite();
    return h(TextField, {
      element,
      id,
      label,
      description,
      debounce,
      getValue: () => propertyValue(element.businessObject, name),
      setValue: (value: string) => setProperty(element, name, value ?? "", modeling, factory),
    });
  };
}

function bodyEntry(type: string, label: string, description: string, area: boolean) {
  return function BodyEntry({ element, id }: Props) {
    const { modeling, factory, debounce } = useWrite();
    return h(area ? TextArea : TextField, {
      element,
      id,
      label,
      description,
      debounce,
      rows: 4,
      monospace: area,
      getValue: () => bodyValue(element.businessObject, type),
      setValue: (value: string) => setBody(element, type, value ?? "", modeling, factory),
    });
  };
}

function attributeEntry(name: string, label: string, description: string, area: boolean) {
  return function AttributeEntry({ element, id }: Props) {
    const { modeling, debounce } = useWrite();
    return h(area ? TextArea : TextField, {
      element,
      id,
      label,
      description,
      debounce,
      rows: 6,
      monospace: area,
      getValue: () => (element.businessObject.get(name) as string | undefined) ?? "",
      setValue: (value: string) => modeling.updateProperties(element, { [name]: value ? value : undefined }),
    });
  };
}

function InstructionsEntry({ element, id }: Props) {
  const { modeling, factory, debounce } = useWrite();
  return h(TextArea, {
    element,
    id,
    label: "Instruktioner",
    description:
      "Det den som gör uppgiften läser (Markdown). {{ variabel }} fylls i med det ärendet vet, t.ex. {{ huvudperson.namn }}.",
    debounce,
    rows: 6,
    getValue: () => documentationText(element.businessObject),
    setValue: (value: string) => setDocumentation(element, value ?? "", modeling, factory),
  });
}

function LaneEntry({ element }: Props) {
  const registry = useService<ElementRegistry>("elementRegistry");
  const lane = laneOf(element, registry);
  const expression = propertyValue(element.businessObject, "candidateGroups");
  const text = expression
    ? `Uppgiften går till gruppen som uttrycket nedan ger${lane ? ` (inte simbanan ${lane})` : ""}.`
    : lane
      ? `Uppgiften går till simbanan ${lane}: gruppen ${groupName(lane)}.`
      : "Uppgiften ligger inte i någon simbana: ange vem den är för nedan.";
  return h("div", { class: "bio-properties-panel-entry sip-lane-entry" }, h("p", null, text));
}

const FormSchemaEntry = propertyEntry(
  "formJsonSchemaFilename",
  "Formulär (JSON Schema-fil)",
  "Filen i rutinens formulär, t.ex. bedom_behov_av_sip.schema.json. Tomt: en bekräftelse utan formulär.",
);
const FormUiSchemaEntry = propertyEntry(
  "formUiSchemaFilename",
  "Formulärets utseende (UI-schema-fil)",
  "T.ex. bedom_behov_av_sip.uischema.json.",
);
const CandidateGroupsEntry = propertyEntry(
  "candidateGroups",
  "Vem uppgiften är för (uttryck)",
  'T.ex. deltagaren["organisation"] för en uppgift per deltagare, eller "samordningsansvarig". Tomt: simbanans grupp.',
);
const DueDateEntry = propertyEntry(
  "dueDate",
  "Senast klar (uttryck)",
  "Ett datum eller en tidpunkt, t.ex. arbetsdagar_efter(motesdatum, 2). Ett datum betyder dagens slut, svensk tid.",
);
const CalledDecisionEntry = bodyEntry(
  "spiffworkflow:CalledDecisionId",
  "Beslutstabell",
  "Id för beslutstabellen (DMN) som anropas, t.ex. mobilt_vardteam.",
  false,
);
const PreScriptEntry = bodyEntry(
  "spiffworkflow:PreScript",
  "Skript före uppgiften",
  "Python som körs innan uppgiften öppnas. Se docs/expressions.md för vad som är tillåtet.",
  true,
);
const PostScriptEntry = bodyEntry(
  "spiffworkflow:PostScript",
  "Skript efter uppgiften",
  "Python som körs när uppgiften är klar.",
  true,
);
const CalledProcessEntry = attributeEntry(
  "calledElement",
  "Anropad process",
  "Id för processen som anropas, t.ex. tjanstemannamote.",
  false,
);
const ScriptEntry = attributeEntry("script", "Skript", "Python som körs i steget.", true);

// -- the provider -----------------------------------------------------------------------------------------------

interface Entry {
  id: string;
  component: unknown;
  isEdited?: (node: unknown) => boolean;
}

interface Group {
  id: string;
  label: string;
  entries: Entry[];
}

const text = (id: string, component: unknown): Entry => ({ id, component, isEdited: isTextFieldEntryEdited });
const area = (id: string, component: unknown): Entry => ({ id, component, isEdited: isTextAreaEntryEdited });

function is(element: Shape, type: string): boolean {
  return element.businessObject.$instanceOf(type);
}

export function sipGroups(element: Shape): Group[] {
  const groups: Group[] = [];
  if (is(element, "bpmn:UserTask")) {
    groups.push({
      id: "sip-form",
      label: "Formulär",
      entries: [text("sip-form-schema", FormSchemaEntry), text("sip-form-ui-schema", FormUiSchemaEntry)],
    });
    groups.push({
      id: "sip-who",
      label: "Vem och när",
      entries: [
        { id: "sip-lane", component: LaneEntry },
        text("sip-candidate-groups", CandidateGroupsEntry),
        text("sip-due-date", DueDateEntry),
      ],
    });
  }
  if (is(element, "bpmn:FlowNode")) {
    groups.push({ id: "sip-instructions", label: "Instruktioner", entries: [area("sip-documentation", InstructionsEntry)] });
  }
  if (is(element, "bpmn:BusinessRuleTask")) {
    groups.push({ id: "sip-decision", label: "Beslutstabell", entries: [text("sip-called-decision", CalledDecisionEntry)] });
  }
  if (is(element, "bpmn:CallActivity")) {
    groups.push({ id: "sip-called", label: "Anropad process", entries: [text("sip-called-element", CalledProcessEntry)] });
  }
  if (is(element, "bpmn:Activity")) {
    const entries = [area("sip-pre-script", PreScriptEntry), area("sip-post-script", PostScriptEntry)];
    if (is(element, "bpmn:ScriptTask")) entries.unshift(area("sip-script", ScriptEntry));
    groups.push({ id: "sip-scripts", label: "Skript", entries });
  }
  return groups;
}

interface PropertiesPanel {
  registerProvider(priority: number, provider: object): void;
}

class SipPropertiesProvider {
  static $inject = ["propertiesPanel"];

  constructor(propertiesPanel: PropertiesPanel) {
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element: Shape) {
    return (groups: Group[]) => {
      const ours = sipGroups(element);
      // The instructions are the element's documentation: one editor of it, ours, where we show one.
      const kept = ours.some((g) => g.id === "sip-instructions") ? groups.filter((g) => g.id !== "documentation") : groups;
      const general = kept.findIndex((g) => g.id === "general");
      return [...kept.slice(0, general + 1), ...ours, ...kept.slice(general + 1)];
    };
  }
}

export const sipPropertiesModule = {
  __init__: ["sipPropertiesProvider"],
  sipPropertiesProvider: ["type", SipPropertiesProvider],
};
