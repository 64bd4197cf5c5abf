/** Custom code (script.csx) of generated connectors: the part contract, composition and the parts of a document. */
export type { ScriptPart } from './types';
export { composeScript, checkScriptParts, scriptOperationIds, ScriptCompositionError, MAX_SCRIPT_BYTES } from './compose';
export { SCRIPT_FILE } from '../settings';
export { addScriptParts, scriptPartsOf } from './document-parts';
