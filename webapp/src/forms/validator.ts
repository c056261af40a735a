// The checks the form makes in the browser before it is sent: JSON Schema 2020-12 with Ajv's draft 2020-12 class,
// as the API checks it, through rjsf's own Ajv validator; its messages in Swedish.
import type { RJSFValidationError } from "@rjsf/utils";
import { TranslatableString, replaceStringParameters } from "@rjsf/utils";
import { customizeValidator, type Localizer } from "@rjsf/validator-ajv8";
import Ajv2020 from "ajv/dist/2020";
import { checkMessage } from "./messages";

/** Ajv's messages in Swedish, by the check that failed. */
const swedish: Localizer = (errors) => {
  for (const error of errors ?? []) {
    const message = checkMessage({ keyword: error.keyword, params: error.params as Record<string, unknown> });
    if (message) error.message = message;
  }
};

export const validator = customizeValidator({ AjvClass: Ajv2020 }, swedish);

/** Only what a person can act on: the same message for the same field once. */
export function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.property}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SWEDISH: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.ArrayItemTitle]: "Rad",
  [TranslatableString.MissingItems]: "Formuläret saknar en beskrivning av raderna",
  [TranslatableString.EmptyArray]: "Inga rader ännu. Lägg till med knappen nedan.",
  [TranslatableString.YesLabel]: "Ja",
  [TranslatableString.NoLabel]: "Nej",
  [TranslatableString.CloseLabel]: "Stäng",
  [TranslatableString.ErrorsLabel]: "Fel",
  [TranslatableString.NewStringDefault]: "Nytt värde",
  [TranslatableString.AddButton]: "Lägg till",
  [TranslatableString.AddItemButton]: "Lägg till rad",
  [TranslatableString.CopyButton]: "Kopiera",
  [TranslatableString.ExpandButton]: "Visa nästa nivå",
  [TranslatableString.MoveDownButton]: "Flytta ned",
  [TranslatableString.MoveUpButton]: "Flytta upp",
  [TranslatableString.RemoveButton]: "Ta bort",
  [TranslatableString.NowLabel]: "Nu",
  [TranslatableString.ClearLabel]: "Rensa",
  [TranslatableString.AriaDateLabel]: "Välj ett datum",
  [TranslatableString.PreviewLabel]: "Förhandsvisning",
  [TranslatableString.DecrementAriaLabel]: "Minska med 1",
  [TranslatableString.IncrementAriaLabel]: "Öka med 1",
  [TranslatableString.OptionalObjectAdd]: "Lägg till uppgifter i valfritt fält",
  [TranslatableString.OptionalObjectRemove]: "Ta bort uppgifter i valfritt fält",
  [TranslatableString.OptionalObjectEmptyMsg]: "Inga uppgifter i valfritt fält",
  [TranslatableString.Type]: "Typ",
  [TranslatableString.Value]: "Värde",
  [TranslatableString.ClearButton]: "Töm fältet",
  [TranslatableString.UnknownFieldType]: "Okänd typ av fält: %1",
  [TranslatableString.OptionPrefix]: "Alternativ %1",
  [TranslatableString.TitleOptionPrefix]: "%1, alternativ %2",
  [TranslatableString.KeyLabel]: "%1 (nyckel)",
  [TranslatableString.DeprecatedLabel]: "%1 (används inte längre)",
  [TranslatableString.CycleDetected]: 'Fältet "%1" hänvisar till sig självt.',
  [TranslatableString.InvalidObjectField]: 'Fältet "%1" är fel beskrivet: %2.',
  [TranslatableString.UnsupportedField]: "Formuläret har ett fält som inte kan visas.",
  [TranslatableString.UnsupportedFieldWithId]: "Fältet `%1` kan inte visas.",
  [TranslatableString.UnsupportedFieldWithReason]: "Formuläret har ett fält som inte kan visas: %1.",
  [TranslatableString.UnsupportedFieldWithIdAndReason]: "Fältet `%1` kan inte visas: %2.",
  [TranslatableString.FilesInfo]: "**%1** (%2, %3 byte)",
};

/** rjsf's own words in Swedish. */
export function translateString(text: TranslatableString, params?: string[]): string {
  return replaceStringParameters(SWEDISH[text] ?? text, params);
}
