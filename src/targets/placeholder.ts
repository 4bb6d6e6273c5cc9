// The `{{name}}` pattern alone, with no imports: the Action's input check (a tag template) uses it at start,
// before the config schema that template.ts needs is loaded.
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
