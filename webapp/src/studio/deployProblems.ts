// The deployment's problems as a process owner reads them: the server says each in Swedish (`message_sv`: what is
// wrong, where and what to write instead); the studio shows that, and where the problem is.
import type { DeployProblem } from "./studioApi";

/** The problem in the server's Swedish words (the English `message` only from a server that has none). */
export function problemMessage(problem: DeployProblem): string {
  return problem.message_sv ?? problem.message;
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
