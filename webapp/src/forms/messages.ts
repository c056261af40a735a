// What a field's error says, in Swedish: for the checks made in the browser (by keyword) and for the API's
// messages, which name the same checks.

export interface Check {
  keyword: string;
  params?: Record<string, unknown>;
}

const TIME_PATTERN = /\[0-5\]\[0-9\]|\\d\{2\}:|:\[0-5\]/;

export function checkMessage({ keyword, params = {} }: Check): string | null {
  const limit = Number(params.limit);
  switch (keyword) {
    case "required":
      return "Måste fyllas i.";
    case "minLength":
      return limit <= 1 ? "Måste fyllas i." : `Måste vara minst ${limit} tecken.`;
    case "maxLength":
      return `Får vara högst ${limit} tecken.`;
    case "minItems":
      return limit <= 1 ? "Lägg till minst en." : `Lägg till minst ${limit}.`;
    case "maxItems":
      return `Högst ${limit} får anges.`;
    case "minimum":
      return `Måste vara minst ${limit}.`;
    case "exclusiveMinimum":
      return `Måste vara större än ${limit}.`;
    case "maximum":
      return `Får vara högst ${limit}.`;
    case "exclusiveMaximum":
      return `Måste vara mindre än ${limit}.`;
    case "oneOf":
    case "anyOf":
    case "enum":
    case "const":
      return "Välj ett av alternativen.";
    case "uniqueItems":
      return "Samma värde finns flera gånger.";
    case "additionalProperties":
      return "Innehåller uppgifter som formuläret inte har fält för.";
    case "pattern":
      return TIME_PATTERN.test(String(params.pattern ?? ""))
        ? "Ange klockslaget som tt:mm, till exempel 09:30."
        : "Har inte rätt format.";
    case "format":
      switch (params.format) {
        case "date":
          return "Ange ett datum (åååå-mm-dd).";
        case "date-time":
          return "Ange datum och klockslag.";
        case "time":
          return "Ange ett klockslag (tt:mm).";
        case "email":
          return "Ange en e-postadress.";
        default:
          return "Har inte rätt format.";
      }
    case "type":
      if (params.type === "integer") return "Ange ett heltal.";
      if (params.type === "number") return "Ange ett tal.";
      return "Har fel slags värde.";
    default:
      return null;
  }
}

const SERVER: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/is a required property/, () => "Måste fyllas i."],
  [/^\[\] (should be non-empty|is too short)/, () => "Lägg till minst en."],
  [/should be non-empty|is too short/, () => "Måste fyllas i."],
  [/is too long/, () => "Är för långt."],
  [/is not valid under any of the given schemas|is not one of|was expected/, () => "Välj ett av alternativen."],
  [/is not a '([\w-]+)'/, (m) => checkMessage({ keyword: "format", params: { format: m[1] } }) ?? ""],
  [/does not match '(.*)'/, (m) => checkMessage({ keyword: "pattern", params: { pattern: m[1] } }) ?? ""],
  [/is not of type '(\w+)'/, (m) => checkMessage({ keyword: "type", params: { type: m[1] } }) ?? ""],
  [/is less than the minimum of (\S+)/, (m) => `Måste vara minst ${m[1]}.`],
  [/is greater than the maximum of (\S+)/, (m) => `Får vara högst ${m[1]}.`],
  [/has non-unique elements/, () => "Samma värde finns flera gånger."],
  [/Additional properties are not allowed/, () => "Innehåller uppgifter som formuläret inte har fält för."],
];

/** An API error message for a field, in Swedish: its own words when it has them, else what the check means. */
export function serverMessage(message: string): string {
  for (const [pattern, text] of SERVER) {
    const match = message.match(pattern);
    if (match) return text(match);
  }
  const english = /\b(is|are|should|must|not|property|expected|valid)\b/.test(message) && !/[åäö]/i.test(message);
  return english ? "Värdet stämmer inte med formuläret." : message;
}
