// The properties panel's groups for what the engine reads from a diagram, in Swedish: a user task's form and the
// person's own form, whom it is for (its lane, or `candidateGroups`), its due date, the instructions staff read, a
// business rule task's called decision, a message event's message, the notification a user task or a message catch
// event makes, a call activity's called process, and the scripts an activity runs. Each change is a command of
// the modeler, so it can be undone and it starts the checks of the draft.
import { createElement as h, type ComponentType } from "@bpmn-io/properties-panel/preact";
import {
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import type { RoutineCatalog } from "../studioApi";

export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
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

interface Option {
  value: string;
  label: string;
  children?: Option[];
}

interface SelectProps {
  element: Shape;
  id: string;
  label: string;
  description?: string;
  getValue: () => string;
  setValue: (value: string) => void;
  getOptions: () => Option[];
}

const TextField = TextFieldEntry as ComponentType<EntryProps>;
const TextArea = TextAreaEntry as ComponentType<EntryProps>;
const Select = SelectEntry as ComponentType<SelectProps>;

/** What the region's routine has for a diagram to name (GET /regions/<region>/routine/catalog); `catalog` is
 *  null until it is read, or when it could not be, and then nothing is offered and nothing warned about. */
export interface CatalogHolder {
  catalog: RoutineCatalog | null;
}

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

/** Sets (or, empty, removes) a body-only extension element of `target`: the element's own business object, or
 *  one of its parts such as its message event definition. */
function setBody(
  element: Shape,
  type: string,
  value: string,
  modeling: Modeling,
  factory: BpmnFactory,
  target: ModdleElement = element.businessObject,
) {
  const found = extensionValues(target).find((each) => each.$instanceOf(type));
  const empty = !value.trim();
  if (found && empty) {
    const extensions = target.get("extensionElements") as ModdleElement;
    modeling.updateModdleProperties(element, extensions, {
      values: extensionValues(target).filter((each) => each !== found),
    });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else if (!empty) {
    let extensions = target.get("extensionElements") as ModdleElement | undefined;
    if (!extensions) {
      extensions = factory.create("bpmn:ExtensionElements", { values: [] });
      modeling.updateModdleProperties(element, target, { extensionElements: extensions });
    }
    const made = factory.create(type, { value });
    modeling.updateModdleProperties(element, extensions, { values: [...extensionValues(target), made] });
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
  "Välj ovan, eller skriv filen för ett nytt formulär som du lägger till i rutinen. Tomt: en bekräftelse.",
);
const FormUiSchemaEntry = propertyEntry(
  "formUiSchemaFilename",
  "Formulärets utseende (UI-schema-fil)",
  "T.ex. bedom_behov_av_sip.uischema.json.",
);
const PersonFormSchemaEntry = propertyEntry(
  "personFormJsonSchemaFilename",
  "JSON Schema-fil för personens formulär",
  "Formuläret personen själv fyller i på sin sida när ärendet har nått uppgiften, t.ex. SIP-kollen. Tomt: inget.",
);
const PersonFormUiSchemaEntry = propertyEntry(
  "personFormUiSchemaFilename",
  "UI-schema-fil för personens formulär",
  "T.ex. sip_kollen_personen.uischema.json.",
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
  "Beslutstabellens id",
  "Välj ovan, eller skriv id:t för en ny beslutstabell som du lägger till i rutinen.",
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

// -- choices from the region's routine -------------------------------------------------------------------------

function useCatalog(): RoutineCatalog | null {
  return useService<CatalogHolder>("sipCatalog")?.catalog ?? null;
}

/** A warning under a field when what it names is not in the region's routine. */
function warning(text: string | null) {
  if (!text) return null;
  return h("div", { class: "bio-properties-panel-entry sip-warning" }, h("p", null, text));
}

/** An option for a value the routine does not have, so that the choice still shows what the diagram says. */
function unknownOption(value: string, known: string[]): Option[] {
  return value && !known.includes(value) ? [{ value, label: `${value} (finns inte)` }] : [];
}

type CatalogForm = RoutineCatalog["forms"][number];

/** A choice of the routine's forms for a pair of properties (a JSON Schema and its UI schema): the staff's form, or
 *  the form the person fills in on their own page. */
function formChoiceEntry(
  label: string,
  schemaProperty: string,
  uiProperty: string,
  offered: (forms: CatalogForm[]) => CatalogForm[],
  description: string,
  none: string,
) {
  return function FormChoiceEntry({ element, id }: Props) {
    const { modeling, factory } = useWrite();
    const forms = offered(useCatalog()?.forms ?? []);
    const bo = element.businessObject;
    return h(Select, {
      element,
      id,
      label,
      description,
      getValue: () => propertyValue(bo, schemaProperty),
      getOptions: () => [
        { value: "", label: none },
        ...unknownOption(
          propertyValue(bo, schemaProperty),
          forms.map((form) => form.schema),
        ),
        ...forms.map((form) => ({ value: form.schema, label: form.title ? `${form.title} (${form.name})` : form.name })),
      ],
      setValue: (value: string) => {
        const form = forms.find((each) => each.schema === value);
        setProperty(element, schemaProperty, value ?? "", modeling, factory);
        setProperty(element, uiProperty, form?.uischema ?? "", modeling, factory);
      },
    });
  };
}

const FormChoiceEntry = formChoiceEntry(
  "Välj formulär",
  "formJsonSchemaFilename",
  "formUiSchemaFilename",
  (forms) => forms,
  "Rutinens formulär. Formulärets utseende (UI-schemat) följer med.",
  "Inget formulär: en bekräftelse",
);
const PersonFormChoiceEntry = formChoiceEntry(
  "Välj personens formulär",
  "personFormJsonSchemaFilename",
  "personFormUiSchemaFilename",
  (forms) => forms.filter((form) => form.for_person),
  "Rutinens formulär som personens sida kan visa: frågor med svarsalternativ eller fritext. Utseendet följer med.",
  "Inget formulär för personen",
);

function FormWarningEntry({ element }: Props) {
  const catalog = useCatalog();
  const value = propertyValue(element.businessObject, "formJsonSchemaFilename");
  const ui = propertyValue(element.businessObject, "formUiSchemaFilename");
  if (!catalog) return null;
  if (value && !catalog.forms.some((form) => form.schema === value)) {
    return warning(
      `Formuläret ${value} finns inte bland regionens formulär. Lägg till det innan du driftsätter, eller välj ett av rutinens.`,
    );
  }
  if (ui && !catalog.forms.some((form) => form.uischema === ui)) {
    return warning(`UI-schemat ${ui} finns inte bland regionens formulär.`);
  }
  return null;
}

function PersonFormWarningEntry({ element }: Props) {
  const catalog = useCatalog();
  const value = propertyValue(element.businessObject, "personFormJsonSchemaFilename");
  const ui = propertyValue(element.businessObject, "personFormUiSchemaFilename");
  if (!catalog) return null;
  const form = catalog.forms.find((each) => each.schema === value);
  if (value && !form) return warning(`Formuläret ${value} finns inte bland regionens formulär.`);
  if (form && !form.for_person) {
    return warning(
      `Personens sida kan inte visa formuläret ${value}: varje fält behöver vara en fråga med svarsalternativ eller fritext.`,
    );
  }
  if (ui && !catalog.forms.some((each) => each.uischema === ui)) {
    return warning(`UI-schemat ${ui} finns inte bland regionens formulär.`);
  }
  return null;
}

function DecisionChoiceEntry({ element, id }: Props) {
  const { modeling, factory } = useWrite();
  const decisions = useCatalog()?.decisions ?? [];
  const current = () => bodyValue(element.businessObject, "spiffworkflow:CalledDecisionId");
  return h(Select, {
    element,
    id,
    label: "Välj beslutstabell",
    description: "Rutinens beslutstabeller (DMN).",
    getValue: current,
    getOptions: () => [
      { value: "", label: "Ingen vald" },
      ...unknownOption(
        current(),
        decisions.map((decision) => decision.id),
      ),
      ...decisions.map((decision) => ({
        value: decision.id,
        label: decision.name ? `${decision.name} (${decision.id})` : decision.id,
      })),
    ],
    setValue: (value: string) => setBody(element, "spiffworkflow:CalledDecisionId", value ?? "", modeling, factory),
  });
}

function DecisionWarningEntry({ element }: Props) {
  const catalog = useCatalog();
  const value = bodyValue(element.businessObject, "spiffworkflow:CalledDecisionId").trim();
  if (!catalog || !value || catalog.decisions.some((decision) => decision.id === value)) return null;
  return warning(`Beslutstabellen ${value} finns inte i regionens rutin. Lägg till den innan du driftsätter.`);
}

/** A quoted group name in a candidateGroups expression ('"samordningsansvarig"'), or null. */
function literalGroup(expression: string): string | null {
  const found = /^\s*(["'])(.+)\1\s*$/.exec(expression);
  return found ? found[2].trim() : null;
}

function GroupChoiceEntry({ element, id }: Props) {
  const { modeling, factory } = useWrite();
  const registry = useService<ElementRegistry>("elementRegistry");
  const catalog = useCatalog();
  const lane = laneOf(element, registry);
  const current = () => propertyValue(element.businessObject, "candidateGroups");
  const groups = (catalog?.groups ?? []).map((group) => ({
    value: JSON.stringify(group.name),
    label: group.label ? `${group.label} (${group.name})` : group.name,
  }));
  const expressions = (catalog?.group_expressions ?? []).map((expression) => ({ value: expression, label: expression }));
  return h(Select, {
    element,
    id,
    label: "Välj grupp",
    description: "Grupperna rutinens simbanor och uppgifter har, och uttrycken den använder.",
    getValue: current,
    getOptions: () => [
      { value: "", label: lane ? `Simbanans grupp (${groupName(lane)})` : "Ingen vald" },
      ...unknownOption(current(), [...groups, ...expressions].map((each) => each.value)),
      ...(groups.length ? [{ value: "__groups", label: "Grupper i rutinen", children: groups }] : []),
      ...(expressions.length ? [{ value: "__expressions", label: "Uttryck i rutinen", children: expressions }] : []),
    ],
    setValue: (value: string) => setProperty(element, "candidateGroups", value ?? "", modeling, factory),
  });
}

function GroupWarningEntry({ element }: Props) {
  const catalog = useCatalog();
  const group = literalGroup(propertyValue(element.businessObject, "candidateGroups"));
  if (!catalog || !group || catalog.groups.some((each) => each.name === group)) return null;
  return warning(`Gruppen ${group} finns inte i regionens rutin: ingen simbana eller uppgift har den.`);
}

// -- notifications ----------------------------------------------------------------------------------------------

const NOTIFICATION = "notification";

interface NotificationValue {
  kind: string;
  variables: Map<string, string>;
  /** Words that are not `<key>=<variable>`, kept as written so that nothing typed is lost. */
  rest: string[];
}

/** A `notification` property as the engine reads it: its kind, then `<key>=<variable>` words. */
export function parseNotification(value: string): NotificationValue {
  const [kind = "", ...words] = value.split(/\s+/).filter(Boolean);
  const variables = new Map<string, string>();
  const rest: string[] = [];
  for (const word of words) {
    const at = word.indexOf("=");
    if (at > 0 && !variables.has(word.slice(0, at))) variables.set(word.slice(0, at), word.slice(at + 1));
    else rest.push(word);
  }
  return { kind, variables, rest };
}

/** The property's text: the kind, its variables in the kind's order (then any others), then the rest. */
export function notificationText(value: NotificationValue, keys: string[]): string {
  const ordered = [...keys, ...[...value.variables.keys()].filter((key) => !keys.includes(key))];
  const words = ordered.filter((key) => value.variables.get(key)).map((key) => `${key}=${value.variables.get(key)}`);
  return [value.kind, ...words, ...value.rest].filter(Boolean).join(" ");
}

/** Where a notification may stand on the element, as the deployment's check says: `kallelse` on a user task, the
 *  message kinds on an event that catches a message. */
function notificationPlace(element: Shape): "user_task" | "message_catch" | null {
  if (is(element, "bpmn:UserTask")) return "user_task";
  if (is(element, "bpmn:CatchEvent") && messageHolder(element)) return "message_catch";
  return null;
}

function kindOf(catalog: RoutineCatalog | null, kind: string) {
  return catalog?.notification_kinds.find((each) => each.kind === kind) ?? null;
}

function NotificationKindEntry({ element, id }: Props) {
  const { modeling, factory } = useWrite();
  const catalog = useCatalog();
  const place = notificationPlace(element);
  const fitting = (catalog?.notification_kinds ?? []).filter((kind) => kind.on === place);
  const current = () => parseNotification(propertyValue(element.businessObject, NOTIFICATION)).kind;
  return h(Select, {
    element,
    id,
    label: "Avisering",
    description:
      place === "user_task"
        ? "Vad som mejlas när uppgiften skapas. Kallelsen går till varje kallad verksamhet."
        : "Vad som mejlas till de kallade verksamheterna när meddelandet tas emot.",
    getValue: current,
    getOptions: () => [
      { value: "", label: "Ingen avisering" },
      // A kind written here that does not fit (or does not exist): shown as it is, so the choice says the truth.
      ...(current() && !fitting.some((kind) => kind.kind === current())
        ? [{ value: current(), label: `${current()} (${kindOf(catalog, current()) ? "passar inte här" : "finns inte"})` }]
        : []),
      ...fitting.map((kind) => ({
        value: kind.kind,
        label: `${kind.label.charAt(0).toUpperCase()}${kind.label.slice(1)} (${kind.kind})`,
      })),
    ],
    setValue: (value: string) => {
      const before = parseNotification(propertyValue(element.businessObject, NOTIFICATION));
      const keys = kindOf(catalog, value)?.variables.map((each) => each.key) ?? [];
      // A kind keeps the variables it also takes; the others belong to the kind it replaces.
      const variables = new Map([...before.variables].filter(([key]) => keys.includes(key)));
      const text = value ? notificationText({ kind: value, variables, rest: [] }, keys) : "";
      setProperty(element, NOTIFICATION, text, modeling, factory);
    },
  });
}

/** One field per variable the chosen kind names (the summons: the meeting's date, time and place). */
function NotificationVariablesEntry({ element, id }: Props) {
  const { modeling, factory, debounce } = useWrite();
  const catalog = useCatalog();
  const kind = kindOf(catalog, parseNotification(propertyValue(element.businessObject, NOTIFICATION)).kind);
  if (!kind || !kind.variables.length) return null;
  const keys = kind.variables.map((each) => each.key);
  return h(
    "div",
    { class: "sip-notification-variables" },
    ...kind.variables.map((variable) =>
      h(TextField, {
        element,
        id: `${id}-${variable.key}`,
        label: `Variabeln med ${variable.label} (${variable.key}=)`,
        description: "Namnet på variabeln som ett formulär eller skript i rutinen sätter.",
        debounce,
        getValue: () =>
          parseNotification(propertyValue(element.businessObject, NOTIFICATION)).variables.get(variable.key) ?? "",
        setValue: (value: string) => {
          const now = parseNotification(propertyValue(element.businessObject, NOTIFICATION));
          now.variables.set(variable.key, (value ?? "").trim());
          setProperty(element, NOTIFICATION, notificationText(now, keys), modeling, factory);
        },
      }),
    ),
  );
}

const NotificationTextEntry = propertyEntry(
  NOTIFICATION,
  "Aviseringen som motorn läser (notification)",
  "T.ex. kallelse datum=motesdatum_planerat tid=motestid plats=motesplats. Det som inte går att läsa visas som problem vid elementet.",
);

// -- messages ---------------------------------------------------------------------------------------------------

function definitionsOf(bo: ModdleElement): ModdleElement | null {
  let node: ModdleElement | undefined = bo;
  while (node && !node.$instanceOf("bpmn:Definitions")) node = node.$parent;
  return node ?? null;
}

function diagramMessages(bo: ModdleElement): ModdleElement[] {
  const definitions = definitionsOf(bo);
  const roots = (definitions?.get("rootElements") as ModdleElement[] | undefined) ?? [];
  return roots.filter((each) => each.$instanceOf("bpmn:Message"));
}

/** Where the element names its message: its message event definition, or a receive or send task itself. */
function messageHolder(element: Shape): ModdleElement | null {
  const bo = element.businessObject;
  if (bo.$instanceOf("bpmn:ReceiveTask") || bo.$instanceOf("bpmn:SendTask")) return bo;
  const definitions = (bo.get("eventDefinitions") as ModdleElement[] | undefined) ?? [];
  return definitions.find((each) => each.$instanceOf("bpmn:MessageEventDefinition")) ?? null;
}

function receives(element: Shape): boolean {
  return is(element, "bpmn:CatchEvent") || is(element, "bpmn:ReceiveTask");
}

function messageOf(element: Shape): ModdleElement | null {
  return (messageHolder(element)?.get("messageRef") as ModdleElement | undefined) ?? null;
}

function messageName(message: ModdleElement | null): string {
  return ((message?.get("name") as string | undefined) ?? "").trim();
}

/** A new `bpmn:message` of the diagram: its id `msg_<name>`, unique in the diagram. */
function addMessage(element: Shape, name: string, modeling: Modeling, factory: BpmnFactory): ModdleElement | null {
  const definitions = definitionsOf(element.businessObject);
  if (!definitions) return null;
  const roots = ((definitions.get("rootElements") as ModdleElement[] | undefined) ?? []).slice();
  const taken = new Set(roots.map((each) => each.get("id") as string));
  const stem = `msg_${groupName(name).replace(/[^a-z0-9_]/g, "_") || "meddelande"}`;
  let id = stem;
  for (let n = 2; taken.has(id); n += 1) id = `${stem}_${n}`;
  const message = factory.create("bpmn:Message", { id, name: name.trim() });
  message.$parent = definitions;
  modeling.updateModdleProperties(element, definitions, { rootElements: [...roots, message] });
  return message;
}

function setMessage(element: Shape, message: ModdleElement | null, modeling: Modeling) {
  const holder = messageHolder(element);
  if (!holder) return;
  if (holder === element.businessObject) modeling.updateProperties(element, { messageRef: message ?? undefined });
  else modeling.updateModdleProperties(element, holder, { messageRef: message ?? undefined });
}

function MessageChoiceEntry({ element, id }: Props) {
  const { modeling, factory } = useWrite();
  const catalog = useCatalog();
  const own = diagramMessages(element.businessObject);
  const ownNames = new Set(own.map((message) => messageName(message)));
  const others = (catalog?.messages ?? []).filter((message) => !ownNames.has(message.name));
  return h(Select, {
    element,
    id,
    label: "Välj meddelande",
    description: receives(element)
      ? "Meddelandet som tas emot här: diagrammets egna och de andra som rutinen skickar eller tar emot."
      : "Meddelandet som skickas här: diagrammets egna och de andra som rutinen tar emot.",
    getValue: () => {
      const message = messageOf(element);
      return message ? `id:${message.get("id") as string}` : "";
    },
    getOptions: () => [
      { value: "", label: "Inget meddelande valt" },
      ...own.map((message) => ({
        value: `id:${message.get("id") as string}`,
        label: messageName(message) || `${message.get("id") as string} (utan namn)`,
      })),
      ...(others.length
        ? [
            {
              value: "__routine",
              label: "Andra meddelanden i rutinen",
              children: others.map((message) => ({ value: `name:${message.name}`, label: message.name })),
            },
          ]
        : []),
    ],
    setValue: (value: string) => {
      if (!value) setMessage(element, null, modeling);
      else if (value.startsWith("id:")) {
        setMessage(element, own.find((message) => message.get("id") === value.slice(3)) ?? null, modeling);
      } else if (value.startsWith("name:")) {
        setMessage(element, addMessage(element, value.slice(5), modeling, factory), modeling);
      }
    },
  });
}

function MessageNameEntry({ element, id }: Props) {
  const { modeling, factory, debounce } = useWrite();
  return h(TextField, {
    element,
    id,
    label: "Meddelandets namn",
    description:
      "Namnet som skickas och tas emot, t.ex. samtycke_aterkallat. Ändras för alla element i diagrammet som har meddelandet.",
    debounce,
    getValue: () => messageName(messageOf(element)),
    setValue: (value: string) => {
      const text = (value ?? "").trim();
      const message = messageOf(element);
      if (message) modeling.updateModdleProperties(element, message, { name: text || undefined });
      else if (text) setMessage(element, addMessage(element, text, modeling, factory), modeling);
    },
  });
}

function MessageWarningEntry({ element }: Props) {
  const catalog = useCatalog();
  const message = messageOf(element);
  const name = messageName(message);
  if (!message) return warning("Inget meddelande valt: välj ett eller skriv ett namn.");
  if (!name) return warning("Meddelandet har inget namn, så inget kan skicka eller ta emot det.");
  if (!catalog) return null;
  const known = catalog.messages.find((each) => each.name === name);
  if (!known) return warning(`Meddelandet ${name} finns inte i regionens rutin än.`);
  // A message named like a process of the routine starts a new case of it: that is its receiver.
  const starts = catalog.processes.some((process) => process.id === name);
  if (!receives(element) && known.received_in.length === 0 && !starts) {
    return warning(`Inget i rutinen tar emot meddelandet ${name}.`);
  }
  return null;
}

function MessageDataEntry({ element, id }: Props) {
  const { modeling, factory, debounce } = useWrite();
  const catching = receives(element);
  const type = catching ? "spiffworkflow:MessageVariable" : "spiffworkflow:MessagePayload";
  return h(catching ? TextField : TextArea, {
    element,
    id,
    label: catching ? "Meddelandets innehåll sparas i (variabel)" : "Meddelandets innehåll (uttryck)",
    description: catching
      ? "Variabeln ärendet får innehållet i, t.ex. aterkallelse."
      : 'Ett uttryck som ger innehållet, t.ex. {"huvudperson": huvudperson}.',
    debounce,
    rows: 3,
    monospace: !catching,
    getValue: () => {
      const holder = messageHolder(element);
      return holder ? bodyValue(holder, type) : "";
    },
    setValue: (value: string) => {
      const holder = messageHolder(element);
      if (holder) setBody(element, type, value ?? "", modeling, factory, holder);
    },
  });
}

/** The correlation the engine reads for the element's message: each `bpmn:correlationProperty` with an
 *  expression for that message (read from the message's content), and the case's own values it is compared with
 *  (`spiffworkflow:processVariableCorrelation`). Shown, not edited: the deployment checks no more of a correlation
 *  than its expressions' syntax, and says so at the correlation property, which has no shape; one edited here could
 *  pass every check and still never let a message through. */
function CorrelationEntry({ element }: Props) {
  const message = messageOf(element);
  const definitions = definitionsOf(element.businessObject);
  const roots = (definitions?.get("rootElements") as ModdleElement[] | undefined) ?? [];
  const lines: string[] = [];
  for (const property of roots.filter((each) => each.$instanceOf("bpmn:CorrelationProperty"))) {
    const expressions =
      (property.get("correlationPropertyRetrievalExpression") as ModdleElement[] | undefined) ?? [];
    for (const expression of expressions) {
      if (!message || expression.get("messageRef") !== message) continue;
      const path = expression.get("messagePath") as ModdleElement | undefined;
      const body = ((path?.get("body") as string | undefined) ?? "").trim();
      const name = (property.get("name") as string | undefined) || (property.get("id") as string);
      lines.push(`${name} = ${body || "?"} (ur meddelandets innehåll)`);
    }
  }
  const holder = messageHolder(element);
  const held = holder ? extensionValues(holder) : [];
  for (const each of held.filter((value) => value.$instanceOf("spiffworkflow:ProcessVariableCorrelation"))) {
    const part = (name: string) => ((each.get(name) as string | undefined) ?? "").trim() || "?";
    lines.push(`${part("propertyId")} = ${part("expression")} (ur ärendets uppgifter)`);
  }
  const text = lines.length
    ? "Meddelandet korreleras: ett meddelande når ärendet bara när värdena stämmer."
    : "Ingen korrelation: meddelandet når det ärende det skickas till.";
  return h(
    "div",
    { class: "bio-properties-panel-entry sip-correlation" },
    h("p", null, text),
    lines.length ? h("ul", null, ...lines.map((line) => h("li", null, line))) : null,
  );
}

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
const select = (id: string, component: unknown): Entry => ({ id, component, isEdited: isSelectEntryEdited });

function is(element: Shape, type: string): boolean {
  return element.businessObject.$instanceOf(type);
}

export function sipGroups(element: Shape): Group[] {
  const groups: Group[] = [];
  if (is(element, "bpmn:UserTask")) {
    groups.push({
      id: "sip-form",
      label: "Formulär",
      entries: [
        select("sip-form-choice", FormChoiceEntry),
        text("sip-form-schema", FormSchemaEntry),
        text("sip-form-ui-schema", FormUiSchemaEntry),
        { id: "sip-form-warning", component: FormWarningEntry },
      ],
    });
    groups.push({
      id: "sip-person-form",
      label: "Formulär för personen",
      entries: [
        select("sip-person-form-choice", PersonFormChoiceEntry),
        text("sip-person-form-schema", PersonFormSchemaEntry),
        text("sip-person-form-ui-schema", PersonFormUiSchemaEntry),
        { id: "sip-person-form-warning", component: PersonFormWarningEntry },
      ],
    });
    groups.push({
      id: "sip-who",
      label: "Vem och när",
      entries: [
        { id: "sip-lane", component: LaneEntry },
        select("sip-group-choice", GroupChoiceEntry),
        text("sip-candidate-groups", CandidateGroupsEntry),
        { id: "sip-group-warning", component: GroupWarningEntry },
        text("sip-due-date", DueDateEntry),
      ],
    });
  }
  if (is(element, "bpmn:FlowNode")) {
    groups.push({ id: "sip-instructions", label: "Instruktioner", entries: [area("sip-documentation", InstructionsEntry)] });
  }
  if (is(element, "bpmn:BusinessRuleTask")) {
    groups.push({
      id: "sip-decision",
      label: "Beslutstabell",
      entries: [
        select("sip-decision-choice", DecisionChoiceEntry),
        text("sip-called-decision", CalledDecisionEntry),
        { id: "sip-decision-warning", component: DecisionWarningEntry },
      ],
    });
  }
  if (messageHolder(element)) {
    groups.push({
      id: "sip-message",
      label: receives(element) ? "Meddelande som tas emot" : "Meddelande som skickas",
      entries: [
        select("sip-message-choice", MessageChoiceEntry),
        text("sip-message-name", MessageNameEntry),
        { id: "sip-message-warning", component: MessageWarningEntry },
        receives(element) ? text("sip-message-data", MessageDataEntry) : area("sip-message-data", MessageDataEntry),
        { id: "sip-correlation", component: CorrelationEntry },
      ],
    });
  }
  if (notificationPlace(element)) {
    groups.push({
      id: "sip-notification",
      label: "Avisering",
      entries: [
        select("sip-notification-kind", NotificationKindEntry),
        { id: "sip-notification-variables", component: NotificationVariablesEntry },
        text("sip-notification", NotificationTextEntry),
      ],
    });
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
      let kept = ours.some((g) => g.id === "sip-instructions") ? groups.filter((g) => g.id !== "documentation") : groups;
      // The message too: ours offers the routine's messages beside the diagram's.
      if (ours.some((g) => g.id === "sip-message")) kept = kept.filter((g) => g.id !== "message");
      const general = kept.findIndex((g) => g.id === "general");
      return [...kept.slice(0, general + 1), ...ours, ...kept.slice(general + 1)];
    };
  }
}

export const sipPropertiesModule = {
  __init__: ["sipPropertiesProvider"],
  sipPropertiesProvider: ["type", SipPropertiesProvider],
};
