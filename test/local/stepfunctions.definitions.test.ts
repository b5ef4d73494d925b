// Definitions on the local Step Functions runtime: the fixtures are valid ASL,
// `${Placeholders}` are filled in, bad definitions (and options) are refused
// with the reason, and the project's own workflow registers unchanged.
import { InvalidDefinition, StateMachineAlreadyExists } from '@aws-sdk/client-sfn';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createStepFunctionsRuntime } from '../../local/stepfunctions/index.ts';

const FIXTURES = new URL('../fixtures/asl/', import.meta.url);
const PROJECT_WORKFLOW = new URL('../../statemachines/deploy.asl.json', import.meta.url);
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:step';

type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const newRuntime = () => createStepFunctionsRuntime({ taskHandler: () => null });

describe('ASL fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.asl.json'));

  it.each(files)('%s is valid ASL once its placeholders are filled in', (file) => {
    // Prepare
    const text = readFileSync(new URL(file, FIXTURES), 'utf8').replaceAll('${StepFunctionArn}', FUNCTION_ARN);

    // Act
    const { isValid, errorsText } = aslValidator(JSON.parse(text));

    // Assess
    expect(isValid, errorsText('; ')).toBe(true);
  });
});

describe('createStateMachine', () => {
  it('fills in ${Placeholders} from definitionSubstitutions', () => {
    // Prepare
    const runtime = newRuntime();
    const definition = readFileSync(new URL('tasks.asl.json', FIXTURES), 'utf8');

    // Act
    const { stateMachineArn } = runtime.createStateMachine({ name: 'deploy', definition, definitionSubstitutions: { StepFunctionArn: FUNCTION_ARN } });

    // Assess
    const registered = JSON.parse(runtime.describeStateMachine({ stateMachineArn }).definition!) as { States: Record<string, { Resource: string }> };
    expect(registered.States.Prepare!.Resource).toBe(FUNCTION_ARN);
  });

  it('names a placeholder left without a value', () => {
    // Prepare
    const definition = readFileSync(new URL('tasks.asl.json', FIXTURES), 'utf8');

    // Act
    const create = () => newRuntime().createStateMachine({ name: 'deploy', definition, definitionSubstitutions: {} });

    // Assess
    expect(create).toThrow(InvalidDefinition);
    expect(create).toThrow('${StepFunctionArn}');
  });

  it.each([
    ['a transition to a missing state', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } }, /B/],
    ['a state name used twice', twiceNamed(), /DUPLICATE_STATE_NAMES.*Inner/],
    ['text that is not JSON', '{"StartAt":', /not JSON/],
  ])('refuses %s with InvalidDefinition', (_case, definition, reason) => {
    // Act
    const create = () => newRuntime().createStateMachine({ name: 'bad', definition: typeof definition === 'string' ? definition : JSON.stringify(definition) });

    // Assess
    expect(create).toThrow(InvalidDefinition);
    expect(create).toThrow(reason);
  });

  it('accepts the same definition again under the same name, and refuses another one', () => {
    // Prepare
    const runtime = newRuntime();
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    const first = runtime.createStateMachine({ name: 'm', definition });

    // Act
    const again = runtime.createStateMachine({ name: 'm', definition });
    const other = () => runtime.createStateMachine({ name: 'm', definition: JSON.stringify({ StartAt: 'B', States: { B: { Type: 'Succeed' } } }) });

    // Assess
    expect(again.stateMachineArn).toBe(first.stateMachineArn);
    expect(other).toThrow(StateMachineAlreadyExists);
  });

  it("registers the project's deployment workflow unchanged", () => {
    // Prepare
    const definition = readFileSync(PROJECT_WORKFLOW, 'utf8');

    // Act
    const { stateMachineArn } = newRuntime().createStateMachine({ name: 'bluegreen-deploy', definition, definitionSubstitutions: { StepFunctionArn: FUNCTION_ARN } });

    // Assess
    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:bluegreen-deploy');
  });
});

describe('createStepFunctionsRuntime', () => {
  it.each([0, -1, Number.NaN])('refuses the time scale %s', (timeScale) => {
    expect(() => createStepFunctionsRuntime({ taskHandler: () => null, timeScale })).toThrow(/timeScale: must be a positive number/);
  });
});

/** A Parallel whose two branches both name a state `Inner`. */
function twiceNamed(): object {
  const branch = { StartAt: 'Inner', States: { Inner: { Type: 'Pass', End: true } } };
  return { StartAt: 'Fan', States: { Fan: { Type: 'Parallel', Branches: [branch, branch], End: true } } };
}
