// statemachines/deploy.asl.json is valid Amazon States Language, both as
// committed (with its ${StepFunctionArn} placeholder) and as the template
// deploys it (the placeholder replaced by the step function's ARN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './package-stack.ts';

type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const STEP_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:bluegreen-dev-step';
const committed = readFileSync(join(projectRoot, 'statemachines/deploy.asl.json'), 'utf8');

/** Validates a copy: asl-validator writes into the definition it checks. */
function validate(text: string): { isValid: boolean; errors: string } {
  const result = aslValidator(JSON.parse(text));
  return { isValid: result.isValid, errors: result.isValid ? '' : result.errorsText('\n') };
}

describe('statemachines/deploy.asl.json', () => {
  it.each([
    ['as committed', committed],
    ['as deployed, with the step function ARN substituted', committed.replaceAll('${StepFunctionArn}', STEP_FUNCTION_ARN)],
  ])('is valid Amazon States Language %s', (_case, text) => {
    expect(validate(text)).toEqual({ isValid: true, errors: '' });
  });

  it('would be refused with a transition to a state that does not exist', () => {
    // Prepare: the same definition, its first state sent nowhere.
    const definition = JSON.parse(committed) as { StartAt: string; States: Record<string, { Next?: string }> };
    definition.States[definition.StartAt]!.Next = 'NoSuchState';

    // Act
    const result = validate(JSON.stringify(definition));

    // Assess
    expect(result.isValid).toBe(false);
    expect(result.errors).toContain('NoSuchState');
  });
});
