// One file's difference between two versions, element by element: what was added, removed, changed (each change as
// before → after) and, in a diagram, only moved. Headings start at the level the page gives.
import type { DiffElement, ElementChange, FileDiff } from "./routine";
import { aspectText, countText, typeText } from "./routine";

type Level = 2 | 3 | 4;

export function elementText(element: DiffElement): string {
  const name = element.name ? ` ”${element.name}”` : "";
  const within = element.within ? `, i ${element.within}` : "";
  const id = element.id.startsWith("(") ? "" : element.id;
  const where = id || within ? ` (${id}${id ? within : within.slice(2)})` : "";
  return `${typeText(element.type)}${name}${where}`;
}

export function diffSummary(diff: FileDiff): string {
  if (diff.status === "same") return "Ingen skillnad.";
  if (diff.status === "added") return "Filen är ny: den finns inte i det som jämförs med.";
  if (diff.status === "removed") return "Filen är borttagen.";
  if (!diff.readable) return "Filen skiljer sig, men kunde inte läsas element för element.";
  const parts = [
    diff.added.length && countText(diff.added.length, "tillagt", "tillagda"),
    diff.removed.length && countText(diff.removed.length, "borttaget", "borttagna"),
    diff.changed.length && countText(diff.changed.length, "ändrat", "ändrade"),
    diff.moved.length && countText(diff.moved.length, "flyttat i diagrammet", "flyttade i diagrammet"),
  ].filter(Boolean);
  return parts.length ? `${parts.join(", ")}.` : "Bara formen på filen skiljer sig (t.ex. ordning eller mellanrum).";
}

function Change({ change }: { change: ElementChange }) {
  return (
    <li className="diff-change">
      {aspectText(change.aspect)}:{" "}
      {change.before !== null ? (
        <del className="diff-before">
          <span className="visually-hidden">före: </span>
          {change.before}
        </del>
      ) : (
        <span className="muted">(saknades)</span>
      )}{" "}
      →{" "}
      {change.after !== null ? (
        <ins className="diff-after">
          <span className="visually-hidden">efter: </span>
          {change.after}
        </ins>
      ) : (
        <span className="muted">(borttaget)</span>
      )}
    </li>
  );
}

export function DiffView({ diff, level = 3 }: { diff: FileDiff; level?: Level }) {
  const Heading = level === 2 ? "h2" : level === 3 ? "h3" : "h4";
  return (
    <div className="diff-group">
      <p className="diff-summary">{diffSummary(diff)}</p>
      {diff.added.length > 0 && (
        <>
          <Heading>Tillagda</Heading>
          <ul>
            {diff.added.map((e) => (
              <li key={`${e.within}/${e.id}`}>{elementText(e)}</li>
            ))}
          </ul>
        </>
      )}
      {diff.removed.length > 0 && (
        <>
          <Heading>Borttagna</Heading>
          <ul>
            {diff.removed.map((e) => (
              <li key={`${e.within}/${e.id}`}>{elementText(e)}</li>
            ))}
          </ul>
        </>
      )}
      {diff.changed.length > 0 && (
        <>
          <Heading>Ändrade</Heading>
          <ul>
            {diff.changed.map((e) => (
              <li key={`${e.within}/${e.id}`}>
                {elementText(e)}
                <ul>
                  {e.changes.map((c) => (
                    <Change key={c.aspect} change={c} />
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.moved.length > 0 && (
        <>
          <Heading>Bara flyttade i diagrammet</Heading>
          <ul>
            {diff.moved.map((e) => (
              <li key={`${e.within}/${e.id}`}>{elementText(e)}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
