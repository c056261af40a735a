// Renders forms to HTML with the staff web app's form renderer (react-jsonschema-form 6, its default theme;
// rjsf's Ajv validator for draft 2020-12), as installed in webapp/node_modules.
// Usage: node render_forms.cjs WEBAPP_DIR < [{name, schema, uiSchema, formData, behavior}]
// Prints [{name, html, error}]: `error` when rendering threw.
const path = require("path");
const { createRequire } = require("module");

const load = createRequire(path.join(path.resolve(process.argv[2]), "package.json"));
const React = load("react");
const { renderToStaticMarkup } = load("react-dom/server");
const Form = load("@rjsf/core").default;
const { customizeValidator } = load("@rjsf/validator-ajv8");
// Ajv as the validator package itself resolves it (the web app need not depend on it directly).
const Ajv2020 = createRequire(load.resolve("@rjsf/validator-ajv8"))("ajv/dist/2020").default;

const validator = customizeValidator({ AjvClass: Ajv2020 });
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const rendered = JSON.parse(input).map(({ name, schema, uiSchema, formData, behavior }) => {
    try {
      const html = renderToStaticMarkup(
        React.createElement(Form, {
          schema, uiSchema, formData, validator, experimental_defaultFormStateBehavior: behavior,
        }),
      );
      return { name, html, error: null };
    } catch (err) {
      return { name, html: "", error: String((err && err.message) || err) };
    }
  });
  process.stdout.write(JSON.stringify(rendered));
});
