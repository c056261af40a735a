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
  informationsutbyte_avbojt: "den enskilde samtyckte inte till informationsutbyte",
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

/** The time of day of a moment in Swedish time ("14:32"). */
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return "";
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit", timeZone: STOCKHOLM });
}

/** A calendar day (YYYY-MM-DD) moved by a number of days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The Monday of the week a calendar day (YYYY-MM-DD) is in. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay(); // 0 is Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** The moment a calendar day starts in Swedish time, as ISO 8601 with its offset ("2026-12-15T00:00:00+01:00"). */
export function startOfSwedishDay(day: string): string {
  // Sweden changes clocks at 02:00 or 03:00, so midnight has the offset of the day before at noon.
  const noon = new Date(`${addDays(day, -1)}T12:00:00Z`);
  const name = new Intl.DateTimeFormat("en-US", { timeZone: STOCKHOLM, timeZoneName: "longOffset" })
    .formatToParts(noon)
    .find((part) => part.type === "timeZoneName")?.value;
  const offset = name && /^GMT[+-]\d{2}:\d{2}$/.test(name) ? name.slice(3) : "+01:00";
  return `${day}T00:00:00${offset}`;
}
