// The decision tables of a DMN file in dmn-js's table editor: one table at a time, chosen by name. Only this
// module loads dmn-js (the studio's decision table page loads it when opened).
import "dmn-js/dist/assets/dmn-js-shared.css";
import "dmn-js/dist/assets/dmn-js-decision-table.css";
import "dmn-js/dist/assets/dmn-js-decision-table-controls.css";
import "dmn-js/dist/assets/dmn-font/css/dmn-embedded.css";
import "./dmnEditor.css";
import { useEffect, useId, useRef, useState } from "react";
import Modeler, { type DmnView } from "dmn-js/lib/Modeler";
import { swedishModule } from "./dmnSwedish";

/** dmn-js's editor for the tables only: a process owner edits rules, not the drawing of requirements. */
class TableModeler extends Modeler {
  protected _getViewProviders() {
    return super._getViewProviders().filter((provider) => provider.id === "decisionTable");
  }
}

export interface DmnEditorHandle {
  /** The file as it is now in the editor, as dmn-js saves it. */
  saveXml(): Promise<string>;
}

export default function DmnTableEditor({
  xml,
  onReady,
  onChange,
  onDecision,
  marked,
}: {
  xml: string;
  onReady: (handle: DmnEditorHandle) => void;
  /** Every edit of a table. */
  onChange: () => void;
  /** The decision whose table is open. */
  onDecision: (id: string) => void;
  /** Ids of rules to mark (those a failing try names). */
  marked: string[];
}) {
  const id = useId();
  const container = useRef<HTMLDivElement>(null);
  const modeler = useRef<Modeler | null>(null);
  const [views, setViews] = useState<DmnView[]>([]);
  const [active, setActive] = useState<string>("");
  const [failure, setFailure] = useState<string | null>(null);
  const callbacks = useRef({ onReady, onChange, onDecision });
  callbacks.current = { onReady, onChange, onDecision };

  useEffect(() => {
    if (!container.current) return;
    const editor = new TableModeler({
      container: container.current,
      decisionTable: { additionalModules: [swedishModule] },
    });
    modeler.current = editor;
    const changed = () => callbacks.current.onChange();
    let attached: ReturnType<Modeler["getActiveViewer"]>;
    editor.on("views.changed", () => {
      const viewer = editor.getActiveViewer();
      if (viewer !== attached) {
        attached?.off("commandStack.changed", changed);
        viewer?.on("commandStack.changed", changed);
        attached = viewer;
      }
      const open = editor.getActiveView();
      setViews(editor.getViews().filter((view) => view.type === "decisionTable"));
      if (open) {
        setActive(open.element.id);
        callbacks.current.onDecision(open.element.id);
      }
    });
    editor
      .importXML(xml)
      .then(() => {
        callbacks.current.onReady({
          saveXml: async () => (await editor.saveXML({ format: true })).xml,
        });
      })
      .catch((err: unknown) => {
        setFailure(`Tabellen kunde inte öppnas i redigeraren: ${err instanceof Error ? err.message : String(err)}`);
      });
    return () => {
      attached?.off("commandStack.changed", changed);
      editor.destroy();
      modeler.current = null;
    };
  }, [xml]);

  useEffect(() => {
    const root = container.current;
    if (!root) return;
    root.querySelectorAll(".studio-rule-marked").forEach((cell) => cell.classList.remove("studio-rule-marked"));
    for (const rule of marked) {
      root.querySelectorAll(`[data-row-id="${CSS.escape(rule)}"]`).forEach((cell) => cell.classList.add("studio-rule-marked"));
    }
  });

  function open(decisionId: string) {
    const view = views.find((v) => v.element.id === decisionId);
    if (view && modeler.current) void modeler.current.open(view);
  }

  return (
    <div className="studio-dmn">
      {failure && (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      )}
      {views.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-decision`}>Tabell i filen</label>
          <select id={`${id}-decision`} value={active} onChange={(e) => open(e.target.value)}>
            {views.map((view) => (
              <option key={view.element.id} value={view.element.id}>
                {view.element.name || view.element.id}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="studio-dmn__canvas" ref={container} />
    </div>
  );
}
