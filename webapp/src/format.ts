// How dates and times read in Swedish on the pages.

const STOCKHOLM = "Europe/Stockholm";

export function formatDate(value: string | null | undefined): string {
  if (!value) return "";
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString("sv-SE", { day: "numeric", month: "long", year: "numeric", timeZone: STOCKHOLM });
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString("sv-SE", {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: STOCKHOLM,
  });
}

/** The calendar day (YYYY-MM-DD) of a moment in Swedish time. */
export function swedishDay(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toLocaleDateString("sv-SE", { timeZone: STOCKHOLM });
}

export type Due = "overdue" | "today" | "later" | "none";

export function dueState(dueAt: string | null | undefined, now: Date = new Date()): Due {
  if (!dueAt) return "none";
  const due = new Date(dueAt);
  if (due.getTime() < now.getTime()) return "overdue";
  return swedishDay(due) === swedishDay(now) ? "today" : "later";
}

const STATUS: Record<string, string> = {
  active: "Pågående",
  completed: "Avslutad",
  closed: "Avslutad",
  cancelled: "Inställd",
  declined: "Avböjd",
  avslutad: "Avslutad",
  installd: "Inställd",
  avbojd: "Avböjd",
  incident: "Fel i rutinen",
};

export function statusText(status: string | null | undefined): string {
  if (!status) return "";
  return STATUS[status] ?? status;
}

const CLOSURE_REASON: Record<string, string> = {
  avliden: "den enskilde har avlidit",
  mal_uppfyllda: "målen är uppfyllda",
  menprovning: "menprövningen ledde inte till SIP",
  mote_installt: "mötet ställdes in",
  ny_sip: "en ny SIP ersätter planen",
  samordning_behovs_inte: "samordning behövs inte längre",
  samtycke_aterkallat: "samtycket återkallades",
  samtycke_avbojt: "den enskilde avböjde SIP",
  sip_nekad: "SIP nekades",
};

/** Why a case ended, as the end of a sentence ("Avslutad: samtycket återkallades"). */
export function closureReasonText(reason: string | null | undefined): string {
  if (!reason) return "";
  return CLOSURE_REASON[reason] ?? reason.replace(/_/g, " ");
}
