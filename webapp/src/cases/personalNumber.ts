// Swedish personal identity numbers (personnummer) and co-ordination numbers (samordningsnummer, day + 60), as
// staff type them: ÅÅÅÅMMDD-NNNN (the hyphen may be left out). The last digit is a Luhn check digit over the
// ten digits ÅÅMMDDNNN. The server checks the number again; this only tells the user early, in Swedish.

export type PersonalNumberCheck =
  | { ok: true; number: string; coordination: boolean }
  | { ok: false; error: string };

export const PERSONAL_NUMBER_HINT = "ÅÅÅÅMMDD-NNNN";

const PATTERN = /^(\d{4})(\d{2})(\d{2})-?(\d{3})(\d)$/;

export function luhnCheckDigit(digits: string): number {
  let total = 0;
  for (let index = 0; index < digits.length; index++) {
    const value = Number(digits[index]) * (index % 2 === 0 ? 2 : 1);
    total += value > 9 ? value - 9 : value;
  }
  return (10 - (total % 10)) % 10;
}

// Hyphens, dashes and minus signs as keyboards, word processors and copied text write the separator.
const DASH = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]/u;

/** The digit 0–9 a decimal digit of any script stands for (Unicode's decimal digits come in runs from 0 to 9). */
function asciiDigit(char: string): string {
  if (!/\p{Nd}/u.test(char)) return char;
  const code = char.codePointAt(0) ?? 0;
  let zero = code;
  while (code - zero < 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return String(code - zero);
}

/** The number as the server reads it: digits of any script (fullwidth １９１２…) as 0–9, any dash as "-", no
 * spaces; one number written two ways is one person. */
export function normalisePersonalNumber(text: string): string {
  return Array.from(text.normalize("NFKC"))
    .filter((char) => !/[\s\p{Cf}]/u.test(char))
    .map((char) => (DASH.test(char) ? "-" : asciiDigit(char)))
    .join("");
}

export function checkPersonalNumber(text: string, today: Date = new Date()): PersonalNumberCheck {
  const value = normalisePersonalNumber(text);
  if (!value) return { ok: false, error: "Skriv personnumret" };
  const match = PATTERN.exec(value);
  if (!match) return { ok: false, error: `Skriv personnumret som ${PERSONAL_NUMBER_HINT}` };
  const [, year, month, dayText, serial, check] = match;
  let day = Number(dayText);
  const coordination = day > 60;
  if (coordination) day -= 60;
  const born = new Date(Date.UTC(Number(year), Number(month) - 1, day));
  if (
    born.getUTCFullYear() !== Number(year) ||
    born.getUTCMonth() !== Number(month) - 1 ||
    born.getUTCDate() !== day ||
    day < 1
  ) {
    return { ok: false, error: "Personnumret har inget giltigt datum" };
  }
  if (born.getTime() > Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) {
    return { ok: false, error: "Personnumrets datum har inte varit än" };
  }
  if (luhnCheckDigit(year.slice(2) + month + dayText + serial) !== Number(check)) {
    return { ok: false, error: "Personnumret har fel kontrollsiffra" };
  }
  return { ok: true, number: `${year}${month}${dayText}-${serial}${check}`, coordination };
}

/** While the user is still typing, a number is judged once it is complete (or cannot become valid): a half
 * typed number is not an error yet. */
export function readyToJudge(text: string): boolean {
  const value = normalisePersonalNumber(text);
  if (/[^\d-]/.test(value)) return true;
  return value.replace(/-/g, "").length >= 12;
}
