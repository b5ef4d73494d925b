// The deployment workflow's definition as text, for the state machine's
// DefinitionString. Loaded as a JSON object (`${file(...json)}`), serverless
// drops every `"ResultPath": null`, and in ASL that null means "discard the
// result, keep the input": the workflow would run differently from the file
// the local runtime and the tests execute.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const text = () => readFileSync(join(import.meta.dirname, '../../statemachines/deploy.asl.json'), 'utf8');
