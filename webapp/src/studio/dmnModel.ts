// What the decision table editor's "try" form needs to know of a DMN file: each decision's input expressions
// (the variables it reads) and outputs, and which decisions it requires, read from the XML as it is saved.

export interface DecisionInput {
  /** The variable the input expression reads, or a dotted path into one (`kravet.antal_kallade`). */
  name: string;
  label: string;
  typeRef: string;
}

export interface DecisionOutput {
  name: string;
  label: string;
  typeRef: string;
}

export interface DecisionInfo {
  id: string;
  name: string;
  inputs: DecisionInput[];
  outputs: DecisionOutput[];
  required: string[];
}

const VARIABLE_OR_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function children(element: Element, localName: string): Element[] {
  return Array.from(element.children).filter((child) => child.localName === localName);
}

export function readDecisions(xml: string): DecisionInfo[] {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return [];
  return Array.from(doc.documentElement.children)
    .filter((el) => el.localName === "decision")
    .map((decision) => {
      const table = children(decision, "decisionTable")[0];
      const inputs: DecisionInput[] = table
        ? children(table, "input").flatMap((input) => {
            const expression = children(input, "inputExpression")[0];
            const text = expression ? (children(expression, "text")[0]?.textContent ?? "").trim() : "";
            if (!VARIABLE_OR_PATH.test(text)) return [];
            return [{ name: text, label: input.getAttribute("label") || text, typeRef: expression?.getAttribute("typeRef") || "" }];
          })
        : [];
      const outputs: DecisionOutput[] = table
        ? children(table, "output").map((output) => ({
            name: output.getAttribute("name") || output.getAttribute("label") || "",
            label: output.getAttribute("label") || output.getAttribute("name") || "",
            typeRef: output.getAttribute("typeRef") || "",
          }))
        : [];
      const required = children(decision, "informationRequirement").flatMap((requirement) =>
        children(requirement, "requiredDecision").map((ref) => (ref.getAttribute("href") || "").replace(/^#/, "")),
      );
      return { id: decision.getAttribute("id") || "", name: decision.getAttribute("name") || "", inputs, outputs, required };
    });
}

/** The inputs a person gives to try decision `id`: those of the decisions it requires (first, depth first) and
 *  its own, without the ones a required decision computes; each variable once. */
export function trialInputs(decisions: DecisionInfo[], id: string): DecisionInput[] {
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const found: DecisionInput[] = [];
  const seen = new Set<string>();
  const visit = (decisionId: string, path: string[]): Set<string> => {
    const decision = byId.get(decisionId);
    const computed = new Set<string>();
    if (!decision || path.includes(decisionId)) return computed;
    for (const requiredId of decision.required) {
      visit(requiredId, [...path, decisionId]);
      for (const output of byId.get(requiredId)?.outputs ?? []) computed.add(output.name);
    }
    for (const input of decision.inputs) {
      if (computed.has(input.name) || seen.has(input.name)) continue;
      seen.add(input.name);
      found.push(input);
    }
    return computed;
  };
  visit(id, []);
  return found;
}

export function isNumberType(typeRef: string): boolean {
  return ["integer", "number", "long", "double", "int"].includes(typeRef.toLowerCase());
}

export function isBooleanType(typeRef: string): boolean {
  return typeRef.toLowerCase() === "boolean";
}
