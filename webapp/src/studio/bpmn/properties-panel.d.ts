// The parts of bpmn-js-properties-panel and @bpmn-io/properties-panel (which ship no types) that the studio's
// diagram editor uses. Entries are Preact components: they are created with Preact's createElement.
declare module "bpmn-js-properties-panel" {
  export const BpmnPropertiesPanelModule: Record<string, unknown>;
  export const BpmnPropertiesProviderModule: Record<string, unknown>;
  export function useService<T = unknown>(name: string): T;
}

declare module "@bpmn-io/properties-panel" {
  export const TextFieldEntry: unknown;
  export const TextAreaEntry: unknown;
  export const SelectEntry: unknown;
  export function isTextFieldEntryEdited(node: unknown): boolean;
  export function isTextAreaEntryEdited(node: unknown): boolean;
  export function isSelectEntryEdited(node: unknown): boolean;
}
