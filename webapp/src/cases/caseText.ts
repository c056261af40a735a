import type { Coordinator } from "../api/types";

// What the routine's codes mean, in the words staff use.

const KINDS: Record<string, string> = {
  kommun_sol: "Kommunen, socialtjänst (SoL)",
  kommun_lss: "Kommunen, funktionsstöd (LSS)",
  kommunal_halso_och_sjukvard: "Kommunal hälso- och sjukvård",
  primarvard: "Primärvård (regionen)",
  psykiatri: "Psykiatri (regionen)",
  slutenvard: "Slutenvård (regionen)",
  skola: "Skola",
  annan: "Annan aktör",
};

const ROLE_GROUPS: Record<string, string> = {
  samordningsansvarig: "Samordningsansvarig",
  deltagande_huvudman: "Alla deltagande huvudmän",
};

/** A kind of huvudman (`primarvard`) by its Swedish name. */
export function kindText(kind: string | null | undefined): string {
  if (!kind) return "";
  return KINDS[kind] ?? kind;
}

/** Who a task is for: a role, a kind of huvudman, or an organisation by its own name. */
export function groupText(group: string | null | undefined): string {
  if (!group) return "Ingen särskild";
  return ROLE_GROUPS[group] ?? KINDS[group] ?? group;
}

const MESSAGES: Record<string, string> = {
  samtycke_aterkallat: "Samtycket återkallas",
  mote_installt: "Mötet ställs in",
  uppfoljning_begard: "Uppföljning begärs",
  kallelse_kvitterad: "Kallelsen kvitteras",
};

export function messageText(name: string, titles: Record<string, string> = {}): string {
  return titles[name] ?? MESSAGES[name] ?? name.replace(/_/g, " ");
}

/** The coordinator as "Eva Ek, Kristianstads kommun" (the case gives `namn`, lists `name`). */
export function coordinatorText(coordinator: Coordinator | null | undefined): string {
  if (!coordinator) return "";
  const name = (coordinator.name ?? coordinator.namn) as string | undefined;
  return [name, coordinator.organisation].filter(Boolean).join(", ");
}
