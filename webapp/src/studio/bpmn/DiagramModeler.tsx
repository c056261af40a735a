// A diagram opened in the bpmn-js modeler with a properties panel for what the engine reads (sipPropertiesProvider),
// in Swedish. bpmn-js and the panel are fetched only when an editor is opened. The problems of the draft's checks
// that name an element of this diagram are marked on it; the page selects an element by its id.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "./bpmnEditor.css";
import { useEffect, useRef, useState } from "react";
import { problemMessage } from "../deployProblems";
import type { DeployProblem, RoutineCatalog } from "../studioApi";
import type { CatalogHolder, Shape } from "./sipPropertiesProvider";

/** What the page does with the opened diagram. */
export interface ModelerHandle {
  /** The diagram as BPMN XML, as it is now. */
  xml(): Promise<string>;
  /** Select the element and bring it into view; false when the diagram has no such element. */
  select(id: string): boolean;
  /** The element's name in the diagram, or null when the diagram has no such element. */
  nameOf(id: string): string | null;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Registry {
  get(id: string): Shape | undefined;
}

interface Overlays {
  add(element: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}

interface Canvas {
  addMarker(element: string, marker: string): void;
  removeMarker(element: string, marker: string): void;
  zoom(level: "fit-viewport", center?: "auto"): number;
  viewbox(box?: Box): Box & { inner: Box; outer: { width: number; height: number } };
  scrollToElement(element: Shape, padding?: number): void;
}

interface EventBus {
  on(event: string, callback: () => void): void;
  fire(event: string): void;
}

interface ModelerInstance {
  importXML(xml: string): Promise<{ warnings: unknown[] }>;
  saveXML(options: { format: boolean }): Promise<{ xml?: string }>;
  get<T>(service: string): T;
  destroy(): void;
}

const PROBLEM_MARKER = "sip-problem";
/** The groups open from the start: what the engine reads. bpmn-js's own others stay closed until opened. */
const OPEN_GROUPS = [
  "general",
  "sip-form",
  "sip-person-form",
  "sip-who",
  "sip-instructions",
  "sip-decision",
  "sip-message",
  "sip-notification",
  "sip-called",
  "sip-scripts",
];
/** The room the palette takes at the canvas's left edge, and the margin kept around the diagram (pixels). */
const PALETTE_PX = 120;
const MARGIN_PX = 24;

/** The whole diagram in view, none of it under the palette. */
function showBesidePalette(canvas: Canvas) {
  canvas.zoom("fit-viewport", "auto");
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height) return;
  const scale = Math.min(
    (outer.width - PALETTE_PX - MARGIN_PX) / inner.width,
    (outer.height - 2 * MARGIN_PX) / inner.height,
  );
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - PALETTE_PX / scale, y: inner.y - (height - inner.height) / 2, width, height });
}

/** The mark on an element with problems: how many, and (as its title) what each is, in the server's Swedish. */
function problemBadge(messages: string[]): HTMLElement {
  const span = document.createElement("span");
  span.className = "sip-problem-badge";
  span.textContent = messages.length === 1 ? "Problem" : `${messages.length} problem`;
  span.title = messages.join("\n");
  return span;
}

export default function DiagramModeler({
  xml,
  problems,
  catalog,
  onChange,
  onReady,
  onFailure,
}: {
  xml: string;
  /** The problems of this diagram's file; those naming one of its elements are marked on it. */
  problems: DeployProblem[];
  /** What the region's routine has, offered as choices in the panel (null: not read, nothing offered). */
  catalog: RoutineCatalog | null;
  onChange: () => void;
  onReady: (handle: ModelerHandle) => void;
  onFailure: (text: string) => void;
}) {
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const [modeler, setModeler] = useState<ModelerInstance | null>(null);
  const marked = useRef<string[]>([]);
  const holder = useRef<CatalogHolder>({ catalog });
  const callbacks = useRef({ onChange, onReady, onFailure });
  useEffect(() => {
    callbacks.current = { onChange, onReady, onFailure };
  });

  // The modeler, once per opened file: bpmn-js, the panel and our provider are fetched now.
  useEffect(() => {
    let made: ModelerInstance | null = null;
    let cancelled = false;
    Promise.all([
      import("bpmn-js/lib/Modeler"),
      import("bpmn-js-properties-panel"),
      import("./sipPropertiesProvider"),
      import("./spiffworkflowModdle"),
      import("./swedishTranslate"),
    ])
      .then(async ([{ default: Modeler }, panel, provider, moddle, translate]) => {
        if (cancelled || !canvasRef.current || !panelRef.current) return;
        made = new Modeler({
          container: canvasRef.current,
          propertiesPanel: {
            parent: panelRef.current,
            layout: { groups: Object.fromEntries(OPEN_GROUPS.map((group) => [group, { open: true }])) },
          },
          additionalModules: [
            panel.BpmnPropertiesPanelModule,
            panel.BpmnPropertiesProviderModule,
            provider.sipPropertiesModule,
            translate.swedishTranslateModule,
            { sipCatalog: ["value", holder.current] },
          ],
          moddleExtensions: { spiffworkflow: moddle.spiffworkflowModdle },
        }) as unknown as ModelerInstance;
        const instance = made;
        await instance.importXML(xml);
        if (cancelled) return;
        showBesidePalette(instance.get<Canvas>("canvas"));
        instance.get<EventBus>("eventBus").on("commandStack.changed", () => callbacks.current.onChange());
        setModeler(instance);
        const registry = instance.get<Registry>("elementRegistry");
        callbacks.current.onReady({
          xml: async () => (await instance.saveXML({ format: true })).xml ?? "",
          select(id) {
            const element = registry.get(id);
            if (!element) return false;
            instance.get<{ select(element: Shape): void }>("selection").select(element);
            instance.get<Canvas>("canvas").scrollToElement(element, 120);
            return true;
          },
          nameOf(id) {
            const element = registry.get(id);
            if (!element) return null;
            const name = element.businessObject.get("name") as string | undefined;
            return name?.replace(/\s+/g, " ").trim() || id;
          },
        });
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const detail = err instanceof Error ? ` (${err.message})` : "";
        callbacks.current.onFailure(`Diagrammet kunde inte öppnas i redigeraren${detail}.`);
      });
    return () => {
      cancelled = true;
      made?.destroy();
      setModeler(null);
    };
  }, [xml]);

  // The routine's choices, once read: the panel shows them for the element selected.
  useEffect(() => {
    holder.current.catalog = catalog;
    modeler?.get<EventBus>("eventBus").fire("propertiesPanel.providersChanged");
  }, [modeler, catalog]);

  // The problems on the elements they name.
  useEffect(() => {
    if (!modeler) return;
    const canvas = modeler.get<Canvas>("canvas");
    const overlays = modeler.get<Overlays>("overlays");
    const registry = modeler.get<Registry>("elementRegistry");
    for (const id of marked.current) {
      if (registry.get(id)) canvas.removeMarker(id, PROBLEM_MARKER);
    }
    overlays.remove({ type: PROBLEM_MARKER });
    const messages = new Map<string, string[]>();
    for (const problem of problems) {
      if (problem.element && registry.get(problem.element)) {
        messages.set(problem.element, [...(messages.get(problem.element) ?? []), problemMessage(problem)]);
      }
    }
    for (const [id, said] of messages) {
      canvas.addMarker(id, PROBLEM_MARKER);
      overlays.add(id, PROBLEM_MARKER, { position: { top: -12, right: 16 }, html: problemBadge(said) });
    }
    marked.current = [...messages.keys()];
  }, [modeler, problems]);

  return (
    <div className="bpmn-editor">
      <div
        ref={canvasRef}
        className="bpmn-editor__canvas"
        role="region"
        aria-label="Diagrammet: dra element för att flytta dem, välj ett element för att se dess egenskaper"
      />
      <div ref={panelRef} className="bpmn-editor__panel" role="region" aria-label="Egenskaper för valt element" />
    </div>
  );
}
