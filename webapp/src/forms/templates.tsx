// The renderer's markup, made plain and accessible: a visible label (or a fieldset's legend) for every field,
// required fields marked in their label, errors at their field, buttons that say what they do in Swedish.
import type {
  ArrayFieldItemButtonsTemplateProps,
  ArrayFieldItemTemplateProps,
  ArrayFieldTemplateProps,
  FieldErrorProps,
  FieldTemplateProps,
  IconButtonProps,
  ObjectFieldTemplateProps,
  RegistryWidgetsType,
  TemplatesType,
  TitleFieldProps,
  WidgetProps,
} from "@rjsf/utils";
import {
  ariaDescribedByIds,
  enumOptionsDeselectValue,
  enumOptionsIsSelected,
  enumOptionsSelectValue,
  enumOptionValueEncoder,
  errorId,
  getUiOptions,
  optionId,
  titleId,
} from "@rjsf/utils";
import { useEffect, useRef, type ReactNode } from "react";

/** A required field's mark, part of its label: seen as *, heard as "obligatoriskt". */
export function RequiredMark() {
  return (
    <>
      <span className="required-mark" aria-hidden="true">
        {" "}
        *
      </span>
      <span className="visually-hidden"> (obligatoriskt)</span>
    </>
  );
}

function isGroupWidget(widget: unknown): boolean {
  return widget === "radio" || widget === "checkboxes";
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, uiSchema, rawErrors } =
    props;
  if (hidden) return <div hidden>{children}</div>;
  const widget = getUiOptions(uiSchema).widget;
  // A group of fields (an object, a list) shows its help under its own legend.
  const container = props.schema.type === "object" || (props.schema.type === "array" && !displayLabel);
  if (container) {
    return (
      <div className={`form-container${(rawErrors?.length ?? 0) > 0 ? " form-field--error" : ""}`}>
        {errors}
        {children}
      </div>
    );
  }
  const invalid = (rawErrors?.length ?? 0) > 0;
  const className = `form-field${invalid ? " form-field--error" : ""}`;
  if (displayLabel && isGroupWidget(widget)) {
    return (
      <fieldset className={`${className} form-field--group`}>
        <legend>
          {label}
          {required && <RequiredMark />}
        </legend>
        {description}
        {errors}
        {children}
        {help}
      </fieldset>
    );
  }
  return (
    <div className={className}>
      {displayLabel && label && (
        <label htmlFor={id}>
          {label}
          {required && <RequiredMark />}
        </label>
      )}
      {displayLabel && description}
      {errors}
      {children}
      {help}
    </div>
  );
}

function TitleFieldTemplate({ id, title, required }: TitleFieldProps) {
  return (
    <legend id={id}>
      {title}
      {required && <RequiredMark />}
    </legend>
  );
}

function GroupHelp({ id, uiSchema }: { id: string; uiSchema: ObjectFieldTemplateProps["uiSchema"] }) {
  const help = getUiOptions(uiSchema).help;
  if (!help) return null;
  return (
    <div className="help-block" id={`${id}__help`}>
      {help}
    </div>
  );
}

function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { title, description, properties, required, fieldPathId, registry, schema, uiSchema } = props;
  const content = properties.map((p) => p.content);
  if (fieldPathId.$id === "root") {
    // The form's own title is the task's, the page's heading.
    return (
      <div className="form-root" id={fieldPathId.$id}>
        {description && <div className="form-description">{description}</div>}
        {content}
      </div>
    );
  }
  const { DescriptionFieldTemplate } = registry.templates;
  return (
    <fieldset className="form-group" id={fieldPathId.$id}>
      {title && <TitleFieldTemplate id={titleId(fieldPathId)} title={title} required={required} registry={registry} schema={schema} uiSchema={uiSchema} />}
      {description && (
        <DescriptionFieldTemplate
          id={`${fieldPathId.$id}__description`}
          description={description}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
      <GroupHelp id={fieldPathId.$id} uiSchema={uiSchema} />
      {content}
    </fieldset>
  );
}

function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const { canAdd, disabled, readonly, fieldPathId, items, onAddClick, required, schema, title, uiSchema, registry } =
    props;
  const options = getUiOptions(uiSchema);
  const heading = (options.title as string | undefined) || title || "";
  const description = (options.description as string | undefined) || schema.description;
  const { ArrayFieldDescriptionTemplate } = registry.templates;
  // A row added by the button takes the focus, at its first field, so that a keyboard user goes on typing there.
  const itemsRef = useRef<HTMLDivElement>(null);
  const added = useRef<number | null>(null);
  useEffect(() => {
    if (added.current === null || items.length <= added.current) return;
    added.current = null;
    const rows = itemsRef.current?.querySelectorAll<HTMLElement>(":scope > .form-array__item");
    const row = rows?.[rows.length - 1];
    const target =
      row?.querySelector<HTMLElement>("input:not([type=hidden]):not([disabled]), select, textarea") ??
      row?.querySelector<HTMLElement>("button");
    target?.focus();
  }, [items.length]);
  return (
    <fieldset className="form-group form-array" id={fieldPathId.$id}>
      {heading && (
        <legend id={titleId(fieldPathId)}>
          {heading}
          {required && <RequiredMark />}
        </legend>
      )}
      {description && (
        <ArrayFieldDescriptionTemplate
          fieldPathId={fieldPathId}
          description={description}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
      <GroupHelp id={fieldPathId.$id} uiSchema={uiSchema} />
      {items.length === 0 && <p className="muted">Inga ännu.</p>}
      <div className="form-array__items" ref={itemsRef}>
        {items}
      </div>
      {canAdd && !readonly && !disabled && (
        <button
          type="button"
          className="button button--secondary"
          id={`${fieldPathId.$id}__add`}
          onClick={(event) => {
            added.current = items.length;
            onAddClick(event);
          }}
        >
          Lägg till
          {heading && <span className="visually-hidden"> i {heading}</span>}
        </button>
      )}
    </fieldset>
  );
}

function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  const { children, buttonsProps, hasToolbar, registry } = props;
  const { ArrayFieldItemButtonsTemplate } = registry.templates;
  return (
    <div className="form-array__item">
      {children}
      {hasToolbar && (
        <div className="form-array__tools">
          <ArrayFieldItemButtonsTemplate {...buttonsProps} />
        </div>
      )}
    </div>
  );
}

function ArrayFieldItemButtonsTemplate(props: ArrayFieldItemButtonsTemplateProps) {
  const { disabled, readonly, hasCopy, hasMoveDown, hasMoveUp, hasRemove, index, uiSchema } = props;
  const { onCopyItem, onMoveDownItem, onMoveUpItem, onRemoveItem, fieldPathId } = props;
  if (disabled || readonly) return null;
  const itemTitle = (getUiOptions(uiSchema).title as string | undefined) || `rad ${index + 1}`;
  const hidden = (text: string): ReactNode => <span className="visually-hidden"> {text}</span>;
  const base = fieldPathId.$id;
  return (
    <>
      {hasMoveUp && (
        <button type="button" className="button button--secondary button--small" id={`${base}__moveUp`} onClick={onMoveUpItem}>
          Flytta upp{hidden(itemTitle)}
        </button>
      )}
      {hasMoveDown && (
        <button type="button" className="button button--secondary button--small" id={`${base}__moveDown`} onClick={onMoveDownItem}>
          Flytta ned{hidden(itemTitle)}
        </button>
      )}
      {hasCopy && (
        <button type="button" className="button button--secondary button--small" id={`${base}__copy`} onClick={onCopyItem}>
          Kopiera{hidden(itemTitle)}
        </button>
      )}
      {hasRemove && (
        <button type="button" className="button button--secondary button--small" id={`${base}__remove`} onClick={onRemoveItem}>
          Ta bort{hidden(itemTitle)}
        </button>
      )}
    </>
  );
}

function FieldErrorTemplate({ errors = [], fieldPathId }: FieldErrorProps) {
  const shown = errors.filter(Boolean);
  if (shown.length === 0) return null;
  return (
    <div className="field-error" id={errorId(fieldPathId)}>
      {shown.map((error, index) => (
        <p key={index}>
          <span className="visually-hidden">Fel: </span>
          {error}
        </p>
      ))}
    </div>
  );
}

function TextButton({ children, ...props }: IconButtonProps & { children: ReactNode }) {
  const { onClick, disabled, id } = props;
  return (
    <button type="button" className="button button--secondary button--small" id={id} onClick={onClick} disabled={disabled}>
      {children}
    </button>
  );
}

export const templates: Partial<Omit<TemplatesType, "ButtonTemplates">> & {
  ButtonTemplates: Partial<TemplatesType["ButtonTemplates"]>;
} = {
  FieldTemplate,
  TitleFieldTemplate,
  ObjectFieldTemplate,
  ArrayFieldTemplate,
  ArrayFieldItemTemplate,
  ArrayFieldItemButtonsTemplate,
  FieldErrorTemplate,
  ButtonTemplates: {
    // The form's own submit button is the page's (see TaskForm); these are the renderer's other buttons.
    SubmitButton: () => null,
    AddButton: (props) => <TextButton {...props}>Lägg till</TextButton>,
    CopyButton: (props) => <TextButton {...props}>Kopiera</TextButton>,
    MoveDownButton: (props) => <TextButton {...props}>Flytta ned</TextButton>,
    MoveUpButton: (props) => <TextButton {...props}>Flytta upp</TextButton>,
    RemoveButton: (props) => <TextButton {...props}>Ta bort</TextButton>,
    ClearButton: (props) => <TextButton {...props}>Töm fältet</TextButton>,
  },
};

/** A set of choices as radio buttons; the fieldset around them (FieldTemplate) names the group. */
function RadioWidget(props: WidgetProps) {
  const { id, options, value, required, disabled, readonly, onChange, onBlur, onFocus, htmlName } = props;
  const { enumOptions = [], enumDisabled } = options;
  return (
    <div className={`choices${options.inline ? " choices--inline" : ""}`} id={id}>
      {enumOptions.map((option, index) => {
        const itemDisabled = Array.isArray(enumDisabled) && enumDisabled.includes(option.value);
        return (
          <div className="choice" key={String(option.value)}>
            <input
              type="radio"
              id={optionId(id, index)}
              name={htmlName || id}
              value={enumOptionValueEncoder(option.value, index)}
              checked={enumOptionsIsSelected(option.value, value)}
              required={required}
              disabled={disabled || readonly || itemDisabled}
              onChange={() => onChange(option.value)}
              onBlur={() => onBlur(id, value)}
              onFocus={() => onFocus(id, value)}
              aria-describedby={ariaDescribedByIds(id)}
            />
            <label htmlFor={optionId(id, index)}>{option.label}</label>
          </div>
        );
      })}
    </div>
  );
}

/** Several choices as checkboxes; the fieldset around them (FieldTemplate) names the group. */
function CheckboxesWidget(props: WidgetProps) {
  const { id, options, value, disabled, readonly, onChange, onBlur, onFocus, htmlName } = props;
  const { enumOptions = [], enumDisabled } = options;
  const selected: unknown[] = Array.isArray(value) ? value : [];
  return (
    <div className={`choices${options.inline ? " choices--inline" : ""}`} id={id}>
      {enumOptions.map((option, index) => {
        const itemDisabled = Array.isArray(enumDisabled) && enumDisabled.includes(option.value);
        const checked = enumOptionsIsSelected(option.value, selected);
        return (
          <div className="choice" key={String(option.value)}>
            <input
              type="checkbox"
              id={optionId(id, index)}
              name={htmlName || id}
              value={enumOptionValueEncoder(option.value, index)}
              checked={checked}
              disabled={disabled || readonly || itemDisabled}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? enumOptionsSelectValue(index, selected, enumOptions)
                    : enumOptionsDeselectValue(index, selected, enumOptions),
                )
              }
              onBlur={() => onBlur(id, value)}
              onFocus={() => onFocus(id, value)}
              aria-describedby={ariaDescribedByIds(id)}
            />
            <label htmlFor={optionId(id, index)}>{option.label}</label>
          </div>
        );
      })}
    </div>
  );
}

/** A yes/no field as one checkbox with its label beside it. */
function CheckboxWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, label, hideLabel, onChange, onBlur, onFocus, htmlName, schema } =
    props;
  const { options, registry, uiSchema } = props;
  const { DescriptionFieldTemplate } = registry.templates;
  const description = options.description ?? schema.description;
  return (
    <div className="choice choice--single">
      <input
        type="checkbox"
        id={id}
        name={htmlName || id}
        checked={value === true}
        disabled={disabled || readonly}
        onChange={(event) => onChange(event.target.checked)}
        onBlur={() => onBlur(id, value)}
        onFocus={() => onFocus(id, value)}
        aria-describedby={ariaDescribedByIds(id)}
      />
      <label htmlFor={id}>
        {hideLabel ? <span className="visually-hidden">{label}</span> : label}
        {required && schema.const === true && <RequiredMark />}
      </label>
      {!hideLabel && description && (
        <DescriptionFieldTemplate
          id={`${id}__description`}
          description={description}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
    </div>
  );
}

export const widgets: RegistryWidgetsType = {
  RadioWidget,
  CheckboxesWidget,
  CheckboxWidget,
};
