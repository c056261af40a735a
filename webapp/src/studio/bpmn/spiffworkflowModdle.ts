// The `spiffworkflow:` extension elements our diagrams use, as a moddle descriptor for bpmn-js: with it the
// modeler reads and writes them as typed elements (a task's properties, its scripts, a called decision, a
// message's variable, payload and correlation) instead of keeping them as unknown XML. Names as the files write them.

const bodyOnly = (name: string) => ({
  name,
  superClass: ["Element"],
  properties: [{ name: "value", type: "String", isBody: true }],
});

export const spiffworkflowModdle = {
  name: "SpiffWorkflow",
  prefix: "spiffworkflow",
  uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    {
      name: "Properties",
      superClass: ["Element"],
      properties: [{ name: "properties", type: "Property", isMany: true }],
    },
    {
      name: "Property",
      superClass: ["Element"],
      properties: [
        { name: "name", type: "String", isAttr: true },
        { name: "value", type: "String", isAttr: true },
      ],
    },
    bodyOnly("PreScript"),
    bodyOnly("PostScript"),
    bodyOnly("CalledDecisionId"),
    bodyOnly("InstructionsForEndUser"),
    bodyOnly("MessageVariable"),
    bodyOnly("MessagePayload"),
    {
      // A message event's correlation with the case: the property and the expression on the case's data.
      name: "ProcessVariableCorrelation",
      superClass: ["Element"],
      properties: [
        { name: "propertyId", type: "String" },
        { name: "expression", type: "String" },
      ],
    },
    {
      name: "MultiInstanceScripts",
      extends: ["bpmn:MultiInstanceLoopCharacteristics"],
      properties: [{ name: "scriptsOnInstances", type: "Boolean", isAttr: true }],
    },
  ],
  enumerations: [],
};
