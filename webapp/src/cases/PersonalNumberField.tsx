// A personal number input that checks the number as it is typed: the format and the check digit, with the
// message at the field. The browser keeps no history of what is typed in it (autocomplete off).
import { useId, useState, type Ref } from "react";
import { checkPersonalNumber, PERSONAL_NUMBER_HINT, readyToJudge } from "./personalNumber";

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Shown even before the number is complete: after a submit, or from the server. */
  error?: string | null;
  label?: string;
  name?: string;
  required?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

export function PersonalNumberField({
  value,
  onChange,
  error,
  label = "Personnummer",
  name = "personnummer",
  required,
  inputRef,
}: Props) {
  const id = useId();
  const [touched, setTouched] = useState(false);
  const check = checkPersonalNumber(value);
  const typedError = !check.ok && value.trim() && (touched || readyToJudge(value)) ? check.error : null;
  const shown = error ?? typedError;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span className="visually-hidden"> (obligatoriskt)</span> : null}
      </label>
      <p className="field__hint" id={`${id}-hint`}>
        Skriv {PERSONAL_NUMBER_HINT}
        {check.ok && check.coordination ? " · samordningsnummer" : ""}
      </p>
      <p className="field__error" id={`${id}-error`} aria-live="polite">
        {shown ? (
          <>
            <span className="visually-hidden">Fel: </span>
            {shown}
          </>
        ) : null}
      </p>
      <input
        ref={inputRef}
        id={id}
        name={name}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        size={15}
        maxLength={20}
        required={required}
        value={value}
        aria-invalid={shown ? true : undefined}
        aria-describedby={`${id}-hint ${id}-error`}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setTouched(true)}
      />
    </div>
  );
}
