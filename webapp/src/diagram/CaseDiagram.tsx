// The routine's diagram with where the case stands: what is done, what is open, what waits. A stage that the
// main diagram calls opens in the same viewer (by clicking it, or by its button below for keyboard users), with
// a breadcrumb back. The picture has a text beside it that says the same. Only this module loads bpmn-js.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diagram.css";
import { useEffect, useRef, useState } from "react";
import type NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { api, ApiError } from "../api/client";
import type { CaseDiagram as DiagramData } from "../api/types";

type ElementState = "completed" | "open" | "waiting" | "cancelled";

const STATE_TEXT: Record<ElementState, string> = {
  completed: "Klar",
  open: "Pågår",
  waiting: "Väntar",
  cancelled: "Avbruten",
};

interface DiagramElement {
  id: string;
  type: string;
  businessObject: { name?: string; calledElement?: string; di?: { isExpanded?: boolean } };
  waypoints?: unknown;
}

interface ElementRegistry {
  get(id: string): DiagramElement | undefined;
  getAll(): DiagramElement[];
}

interface Canvas {
  addMarker(element: string, marker: string): void;
  zoom(level: "fit-viewport", center?: "auto"): number;
}

interface Overlays {
  add(element: string, type: string, overlay: object): string;
  clear(): void;
}

interface EventBus {
  on(event: string, callback: (event: { element: DiagramElement }) => void): void;
}

interface Crumb {
  processId: string;
  label: string;
}

interface Stage {
  elementId: string;
  name: string;
  processId: string;
  state: ElementState | null;
}

interface Shown {
  open: string[];
  waiting: string[];
  completed: string[];
  cancelled: string[];
  stages: Stage[];
}

const ACTIVITY = /^bpmn:(Task|UserTask|ManualTask|ScriptTask|ServiceTask|SendTask|ReceiveTask|BusinessRuleTask|CallActivity|SubProcess)$/;

function nameOf(element: DiagramElement | undefined, fallback: string): string {
  const name = element?.businessObject?.name?.replace(/\s+/g, " ").trim();
  return name || fallback;
}

function badge(state: ElementState): HTMLElement {
  const span = document.createElement("span");
  span.className = `diagram-badge diagram-badge--${state}`;
  span.textContent = STATE_TEXT[state];
  return span;
}

function listText(names: string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} och ${names[names.length - 1]}`;
}

export default function CaseDiagram({
  caseId,
  processKey,
  revision,
}: {
  caseId: string;
  processKey: string;
  revision: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const currentCrumb = useRef<HTMLSpanElement>(null);
  const [viewer, setViewer] = useState<NavigatedViewer | null>(null);
  const [data, setData] = useState<DiagramData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [path, setPath] = useState<Crumb[]>([]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const moveFocus = useRef(false);

  // The viewer, once: bpmn-js is fetched only when the routine is opened.
  useEffect(() => {
    let made: NavigatedViewer | null = null;
    let cancelled = false;
    import("bpmn-js/lib/NavigatedViewer")
      .then(({ default: Viewer }) => {
        if (cancelled || !container.current) return;
        made = new Viewer({ container: container.current });
        // The canvas is one picture with a summary for screen readers (and the same in text beside it); the
        // stage buttons below open the stages. Its labels say the same as the picture, so they are hidden.
        const svg = container.current.querySelector(".djs-container > svg");
        svg?.removeAttribute("tabindex");
        svg?.setAttribute("role", "img");
        container.current.querySelector(".djs-overlay-container")?.setAttribute("aria-hidden", "true");
        setViewer(made);
      })
      .catch(() => setError("Rutinens bild kunde inte laddas."));
    return () => {
      cancelled = true;
      made?.destroy();
    };
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api<DiagramData>(`/cases/${encodeURIComponent(caseId)}/diagram`, { signal: controller.signal })
      .then((answer) => {
        setData(answer);
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(
          err instanceof ApiError && err.status === 404
            ? "Rutinens bild finns inte för det här ärendet."
            : "Rutinens bild kunde inte hämtas.",
        );
      });
    return () => controller.abort();
  }, [caseId, revision]);

  const main = data ? (data.processes.find((p) => p.id === processKey) ?? data.processes[0]) : undefined;
  const crumbs: Crumb[] = main ? [{ processId: main.id, label: "SIP" }, ...path] : [];
  const current = crumbs[crumbs.length - 1];
  const currentId = current?.processId;

  // Draw the current diagram and mark where the case stands in it.
  useEffect(() => {
    if (!viewer || !data || !currentId) return;
    const process = data.processes.find((p) => p.id === currentId);
    if (!process) return;
    let stale = false;
    const states = data.states[currentId] ?? {};
    const calls = data.calls[currentId] ?? {};
    const known = new Set(data.processes.map((p) => p.id));
    viewer
      .importXML(process.xml)
      .then(() => {
        if (stale) return;
        const registry = viewer.get<ElementRegistry>("elementRegistry");
        const canvas = viewer.get<Canvas>("canvas");
        const overlays = viewer.get<Overlays>("overlays");
        overlays.clear();
        const found: Shown = { open: [], waiting: [], completed: [], cancelled: [], stages: [] };
        for (const [id, state] of Object.entries(states) as [string, ElementState][]) {
          const element = registry.get(id);
          if (!element) continue;
          canvas.addMarker(id, `state-${state}`);
          if (element.waypoints) continue; // a sequence flow: coloured, no badge, not listed
          if (element.type === "bpmn:SubProcess" && element.businessObject.di?.isExpanded !== false) {
            canvas.addMarker(id, "state-container");
          }
          const activity = ACTIVITY.test(element.type);
          if (activity || state === "open" || state === "waiting") {
            // A gateway waits through the events after it, which carry the label.
            if (!element.type.endsWith("Gateway")) {
              overlays.add(id, "state", {
                position: { top: -11, left: -4 },
                html: badge(state),
                scale: { min: 0.8, max: 1.2 },
              });
            }
            found[state].push(nameOf(element, id));
          }
        }
        for (const element of registry.getAll()) {
          if (element.type !== "bpmn:CallActivity") continue;
          const called = calls[element.id] ?? element.businessObject.calledElement;
          if (!called || !known.has(called)) continue;
          canvas.addMarker(element.id, "drillable");
          found.stages.push({
            elementId: element.id,
            name: nameOf(element, called),
            processId: called,
            state: states[element.id] ?? null,
          });
        }
        canvas.zoom("fit-viewport", "auto");
        setShown(found);
        if (moveFocus.current) {
          moveFocus.current = false;
          currentCrumb.current?.focus();
        }
      })
      .catch(() => {
        if (!stale) setError("Rutinens bild kunde inte visas.");
      });
    return () => {
      stale = true;
    };
  }, [viewer, data, currentId]);

  // Clicking a stage in the picture opens it, as its button does.
  const stagesRef = useRef<Stage[]>([]);
  useEffect(() => {
    stagesRef.current = shown?.stages ?? [];
  }, [shown]);
  useEffect(() => {
    if (!viewer) return;
    viewer.get<EventBus>("eventBus").on("element.click", ({ element }) => {
      const stage = stagesRef.current.find((s) => s.elementId === element.id);
      if (!stage) return;
      moveFocus.current = true;
      setPath((p) => [...p, { processId: stage.processId, label: stage.name }]);
      setAnnouncement(`Visar steget ${stage.name}.`);
    });
  }, [viewer]);

  function openStage(stage: Stage) {
    moveFocus.current = true;
    setPath((p) => [...p, { processId: stage.processId, label: stage.name }]);
    setAnnouncement(`Visar steget ${stage.name}.`);
  }

  function goTo(depth: number) {
    moveFocus.current = true;
    setPath((p) => p.slice(0, depth));
    setAnnouncement(depth === 0 ? "Visar hela rutinen." : `Visar steget ${path[depth - 1]?.label ?? ""}.`);
  }

  const title = current?.label ?? "Rutinen";
  const summary = shown
    ? [
        `Rutinens bild: ${title}.`,
        shown.open.length ? `Pågår: ${listText(shown.open)}.` : "Inget pågår här.",
        shown.waiting.length ? `Väntar: ${listText(shown.waiting)}.` : "",
        shown.completed.length ? `Klart: ${shown.completed.length} steg.` : "",
      ]
        .filter(Boolean)
        .join(" ")
    : "Rutinens bild laddas.";

  useEffect(() => {
    container.current?.querySelector(".djs-container > svg")?.setAttribute("aria-label", summary);
  }, [viewer, summary]);

  return (
    <div className="case-diagram">
      {error ? (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}
      <nav aria-label="Var i rutinen" className="diagram-crumbs">
        <ol>
          {crumbs.map((crumb, index) =>
            index === crumbs.length - 1 ? (
              <li key={index}>
                <span aria-current="location" tabIndex={-1} ref={currentCrumb}>
                  {crumb.label}
                </span>
              </li>
            ) : (
              <li key={index}>
                <button type="button" className="link-button" onClick={() => goTo(index)}>
                  {crumb.label}
                </button>
              </li>
            ),
          )}
        </ol>
      </nav>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <div className="case-diagram__body">
        <div ref={container} className="case-diagram__canvas" />
        <div className="case-diagram__text">
          <h3>Var ärendet står{current && current.label !== "SIP" ? ` i steget ${current.label}` : ""}</h3>
          {!shown ? (
            <p role="status">Laddar bilden …</p>
          ) : (
            <>
              <StateList title="Pågår" state="open" names={shown.open} empty="Inget pågår här." />
              <StateList title="Väntar" state="waiting" names={shown.waiting} empty="Inget väntar här." />
              <StateList title="Klart" state="completed" names={shown.completed} empty="Inget är klart här ännu." />
              {shown.cancelled.length > 0 ? (
                <StateList title="Avbrutet" state="cancelled" names={shown.cancelled} empty="" />
              ) : null}
            </>
          )}
        </div>
      </div>
      {shown && shown.stages.length > 0 ? (
        <>
          <h3>Stegen i rutinen</h3>
          <ul className="stage-list">
            {shown.stages.map((stage) => (
              <li key={stage.elementId}>
                <button type="button" className="button--secondary" onClick={() => openStage(stage)}>
                  Visa steget {stage.name}
                </button>
                {stage.state ? (
                  <span className={`diagram-badge diagram-badge--${stage.state}`}>{STATE_TEXT[stage.state]}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p className="muted small">
        Klar: grön med hel ram. Pågår: blå med tjock ram. Väntar: gul med streckad ram. Varje markerat steg har också
        en etikett med sitt läge.
      </p>
    </div>
  );
}

function StateList({ title, state, names, empty }: { title: string; state: ElementState; names: string[]; empty: string }) {
  return (
    <>
      <h4>
        <span className={`diagram-badge diagram-badge--${state}`}>{title}</span>
      </h4>
      {names.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul>
          {names.map((name, index) => (
            <li key={index}>{name}</li>
          ))}
        </ul>
      )}
    </>
  );
}
