// The deployment's problems about a diagram's elements in Swedish where the diagram editor knows the check's
// wording (a script or expression the sandbox refuses, a called process or decision that is not there); other
// problems as the studio's shared list says them (deployProblems), else in the check's own words.
import { problemMessage } from "../deployProblems";
import type { DeployProblem } from "../studioApi";

const WHAT: Record<string, string> = {
  script: "Skriptet",
  "pre-script": "Skriptet före uppgiften",
  "post-script": "Skriptet efter uppgiften",
  condition: "Villkoret",
  "timer expression": "Timerns uttryck",
  "multi-instance cardinality": "Antalet instanser",
  "multi-instance completion condition": "Villkoret för när instanserna är klara",
  "message payload": "Meddelandets innehåll",
  "correlation expression": "Korrelationsuttrycket",
  "candidateGroups expression": "Uttrycket för vem uppgiften är för",
  "dueDate expression": "Uttrycket för när uppgiften ska vara klar",
};

const IN_SET = "in this deployment, the region's earlier deployments or the base";

const KNOWN: [RegExp, (m: RegExpMatchArray) => string][] = [
  [
    /^The (.+?) is refused by the script policy: ([\s\S]*)$/,
    (m) => `${WHAT[m[1]] ?? m[1]} godtas inte av reglerna för skript och uttryck: ${m[2]}`,
  ],
  [/^The call activity names no process \(calledElement\)$/, () => "Anropet anger ingen process (Anropad process)."],
  [
    /^The call activity calls the process '([^']+)', which is not (.*)$/,
    (m) => `Anropet gäller processen ${m[1]}, som inte finns ${m[2] === IN_SET ? "bland rutinens filer" : m[2]}.`,
  ],
  [
    /^The business rule task names no decision \(calledDecisionId\)$/,
    () => "Regeluppgiften anger ingen beslutstabell (Beslutstabell).",
  ],
  [
    /^The business rule task calls the decision '([^']+)', which is not (.*)$/,
    (m) => `Regeluppgiften anropar beslutstabellen ${m[1]}, som inte finns ${m[2] === IN_SET ? "bland rutinens filer" : m[2]}.`,
  ],
];

export function diagramProblemMessage(problem: DeployProblem): string {
  for (const [pattern, say] of KNOWN) {
    const match = problem.message.match(pattern);
    if (match) return say(match);
  }
  return problemMessage(problem);
}
