// The deployment's problems as a process owner reads them: where (file, element, line) in Swedish, and the
// check's message in Swedish where the studio knows its wording.
import type { DeployProblem } from "./studioApi";

const KNOWN: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Not valid JSON: (.*)$/, (m) => `Filen är inte giltig JSON (${m[1]}).`],
  [/^Not a valid JSON Schema: (.*)$/, (m) => `Filen är inte ett giltigt JSON Schema: ${m[1]}`],
  [/^Not well-formed XML: (.*)$/, (m) => `Filen är inte välformad XML: ${m[1]}`],
  [
    /^The field '([^']+)' cannot be shown in the form: it has no "type"$/,
    (m) => `Fältet ${m[1]} kan inte visas i formuläret: det saknar "type".`,
  ],
  [
    /^The field '([^']+)' cannot be shown in the form: (.*)$/,
    (m) => `Fältet ${m[1]} kan inte visas i formuläret (${m[2]}).`,
  ],
  [
    /^The UI schema names the field '([^']+)', which the form does not have.*$/,
    (m) => `UI-schemat nämner fältet ${m[1]}, som formuläret inte har.`,
  ],
  [
    /^visibleWhen of the field '([^']+)' names the field '([^']+)'.*$/,
    (m) => `visibleWhen för fältet ${m[1]} nämner fältet ${m[2]}, som inte finns i samma grupp.`,
  ],
  [
    /^(\w+) names the form file (\S+), which is not in the process set$/,
    (m) => `${m[1]} nämner formulärfilen ${m[2]}, som inte finns bland rutinens filer.`,
  ],
];

/** The check's message in Swedish when the studio knows it, else the check's own words. */
export function problemMessage(problem: DeployProblem): string {
  for (const [pattern, say] of KNOWN) {
    const match = problem.message.match(pattern);
    if (match) return say(match);
  }
  return problem.message;
}

/** Where the problem is: "I filen forms/x.schema.json, rad 4, vid fältet y". */
export function problemPlace(problem: DeployProblem): string {
  const parts: string[] = [];
  if (problem.file) parts.push(`I filen ${problem.file}`);
  if (problem.line) parts.push(`rad ${problem.line}`);
  if (problem.element) parts.push(`vid ${problem.element}`);
  return parts.length ? parts.join(", ") : "I rutinen";
}

export function problemsCount(count: number): string {
  return count === 1 ? "1 problem" : `${count} problem`;
}
