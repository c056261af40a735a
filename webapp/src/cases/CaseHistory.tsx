// The case's history as a timeline: what happened, when, and who did it.
import type { AvailableMessage, HistoryEvent } from "../api/types";
import { closureReasonText, formatDate, formatDateTime, statusText } from "../format";
import { messageText } from "./caseText";
import { regionName } from "./regions";

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A stored moment without a zone is UTC ("2027-06-09 22:00:00"). */
function utcMoment(value: string): string {
  if (!value || /(Z|[+-]\d\d:?\d\d)$/i.test(value)) return value;
  return `${value.replace(" ", "T")}Z`;
}

/** Who did it: the person's name and organisation as signed in, where the history has them, else the login. */
function who(event: HistoryEvent): string {
  const by = (event.detail ?? {}).by as { name?: unknown; organisation?: unknown } | undefined;
  const name = text(by?.name);
  if (name) return `Av ${name}${text(by?.organisation) ? `, ${text(by?.organisation)}` : ""}`;
  return event.actor ? `Av ${event.actor}` : "Av rutinen";
}

function describe(event: HistoryEvent, titles: Record<string, string>): string {
  const d = event.detail ?? {};
  switch (event.kind) {
    case "started": {
      const region = text(d.region);
      const how = region ? ` enligt rutinen för ${regionName(region)}${d.version ? `, version ${d.version}` : ""}` : "";
      return `Ärendet startades${how}${d.parent_case_id ? " som en ny SIP efter en tidigare" : ""}.`;
    }
    case "task_completed":
      return `${text(d.title) || event.task_name || "En uppgift"} är gjord.`;
    case "message": {
      const name = text(d.message);
      // The reason sent with it (a message whose diagram asks for one), as the sender wrote it.
      const payload = (d.payload ?? {}) as { orsak?: unknown };
      const reason = name === "avslut_begart" ? closureReasonText(text(payload.orsak)) : text(payload.orsak).trim();
      return `Händelsen ”${messageText(name, titles)}” registrerades${event.task_id ? " och gjorde en uppgift klar" : ""}${reason ? `. Orsak: ${reason}` : ""}.`;
    }
    case "timer":
      return `Ett bevakningsdatum nåddes${d.due ? ` (${formatDate(utcMoment(text(d.due)))})` : ""}.`;
    case "status": {
      const reason = closureReasonText(text(d.reason));
      return `Ärendet fick status ${statusText(text(d.status)).toLowerCase()}${reason ? `: ${reason}` : ""}.`;
    }
    case "sip_kollen":
      return `SIP-kollen besvarades: ${text(d.summary)}`;
    case "incident":
      return `Fel i rutinen${d.message ? `: ${text(d.message)}` : ""}.`;
    default:
      return event.kind.replace(/_/g, " ");
  }
}

export function CaseHistory({ history, messages }: { history: HistoryEvent[]; messages: AvailableMessage[] }) {
  const titles = Object.fromEntries(messages.map((m) => [m.name, m.title]));
  const events = [...history].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <section aria-labelledby="historik-rubrik">
      <h2 id="historik-rubrik">Historik</h2>
      {events.length === 0 ? (
        <p className="muted">Ingen historik ännu.</p>
      ) : (
        <ol className="timeline">
          {events.map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <time dateTime={event.at}>{formatDateTime(event.at)}</time>
              <span className="timeline__what">{describe(event, titles)}</span>
              <span className="timeline__who muted">{who(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
