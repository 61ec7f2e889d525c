export { draftMapping, type DatabaseDraft, type DraftOptions, type MappingDraft } from "./draft.js";
export { renderMapping, variableLines } from "./render.js";
