// A due date in Swedish with what it means today: "Försenad" or "Idag" said in words, not by colour alone.
import { dueState, formatDate } from "../format";

export function DueBadge({ dueAt, now }: { dueAt: string | null | undefined; now?: Date }) {
  const state = dueState(dueAt, now);
  if (state === "overdue") return <span className="badge badge--overdue">Försenad</span>;
  if (state === "today") return <span className="badge badge--today">Idag</span>;
  return null;
}

/** The due date ("15 december 2026") followed by its badge; "Inget datum" when there is none. */
export function DueDate({ dueAt, now }: { dueAt: string | null | undefined; now?: Date }) {
  if (!dueAt) return <span className="muted">Inget datum</span>;
  return (
    <span className="due">
      <time dateTime={dueAt}>{formatDate(dueAt)}</time> <DueBadge dueAt={dueAt} now={now} />
    </span>
  );
}
