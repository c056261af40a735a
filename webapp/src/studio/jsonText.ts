// Reading JSON typed by a person, with what is wrong said in Swedish and where (line and column).

export type JsonRead = { ok: true; value: unknown } | { ok: false; message: string; line: number | null; column: number | null };

const REASONS: [RegExp, string][] = [
  [/Expected ',' or '}' after property value/, "ett kommatecken eller } saknas efter ett värde"],
  [/Expected ',' or ']' after array element/, "ett kommatecken eller ] saknas efter ett element i en lista"],
  [/Expected double-quoted property name|Expected property name or '}'/, "ett namn inom dubbla citattecken väntades här (kanske står ett kommatecken för mycket före)"],
  [/Expected ':' after property name/, "ett kolon saknas efter ett namn"],
  [/Unterminated string/, "en text saknar sitt avslutande citattecken"],
  [/Bad control character|Bad escaped character/, "en text innehåller ett tecken som inte får stå där (en radbrytning eller ett omvänt snedstreck)"],
  [/Unexpected end of JSON input/, "texten tar slut för tidigt: en } eller ] saknas"],
  [/Unexpected non-whitespace character after JSON/, "det står något efter JSON-värdets slut"],
  [/Unexpected token/, "ett tecken står där det inte får stå"],
];

function place(text: string, message: string): { line: number | null; column: number | null } {
  const lineColumn = message.match(/line (\d+) column (\d+)/);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = message.match(/position (\d+)/);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const lines = before.split("\n");
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }
  if (/Unexpected end of JSON input/.test(message)) {
    const lines = text.split("\n");
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }
  return { line: null, column: null };
}

export function readJson(text: string): JsonRead {
  if (!text.trim()) return { ok: false, message: "Fältet är tomt: skriv ett JSON-objekt, till exempel {}.", line: null, column: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const reason = REASONS.find(([pattern]) => pattern.test(raw))?.[1] ?? "texten är inte giltig JSON";
    const where = place(text, raw);
    const at = where.line ? `På rad ${where.line}, kolumn ${where.column}: ` : "";
    const sentence = at ? `${at}${reason}.` : `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
    return { ok: false, message: `Ogiltig JSON. ${sentence}`, ...where };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
