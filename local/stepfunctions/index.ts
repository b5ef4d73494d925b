// Local Step Functions: runs the project's real ASL file, unchanged, on
// aws-local-stepfunctions, with the parts that library lacks done the AWS way.
// Used by the workflow tests and by the local rehearsal (`npm start`).
//
//   const runtime = createStepFunctionsRuntime({ taskHandler, timeScale: 0.01 });
//   const { stateMachineArn } = await runtime.createStateMachine({
//     name: 'bluegreen-deploy',
//     definition: readFileSync('statemachines/deploy.asl.json', 'utf8'),
//     definitionSubstitutions: { StepFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:step' },
//   });
//   const server = await startStepFunctionsServer(runtime);   // SFNClient({ endpoint: server.endpoint, … })
//   …
//   await runtime.shutdown(); await server.close();
//
// createStepFunctionsRuntime({ taskHandler, timeScale?, region?, accountId? })
//   taskHandler(stateName, resource, input, context) runs every Task state:
//   - `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: `input` is Parameters.Payload,
//     `context.functionName` is Parameters.FunctionName; the state's result is the Invoke
//     answer `{ ExecutedVersion, Payload: <handler's return>, SdkHttpMetadata,
//     SdkResponseMetadata, StatusCode: 200 }` as in AWS.
//   - a Lambda function ARN (or any other resource): `input` is the Parameters (or the
//     state input) and the handler's return value is the result.
//   - `….waitForTaskToken`: `context.taskToken` is the token `$$.Task.Token` gave the
//     Parameters; the state waits for SendTaskSuccess (its output is the result),
//     SendTaskFailure (fails with that error name and cause), its TimeoutSeconds /
//     TimeoutSecondsPath (`States.Timeout`) or the execution's end. Each attempt gets a
//     new token.
//   The handler gets a copy of its input; its answer goes through JSON (Dates become strings,
//   `undefined` is dropped, no answer is `null`), as a Lambda function's does.
//   A handler's thrown error fails the state with `error.name` as the error (what Retry
//   and Catch ErrorEquals match; `States.TaskFailed` and `States.ALL` too) and, for Lambda
//   resources, Lambda's error payload `{"errorType","errorMessage","trace"}` as the cause.
//   `context.signal` aborts once the task is over (timed out, execution stopped, answered).
//   Every Task state of the definition, nested ones included, is mapped by name.
//   timeScale: real seconds per workflow second (see StepFunctionsRuntimeOptions).
//
// The runtime's methods are the Step Functions API with @aws-sdk/client-sfn's input and
// output shapes and exception classes: createStateMachine (plus `definitionSubstitutions`),
// describeStateMachine, startExecution, describeExecution, stopExecution, listExecutions,
// getExecutionHistory, sendTaskSuccess, sendTaskFailure, sendTaskHeartbeat; and
// waitForExecution(arn), countStateTransitions(arn), shutdown().
//
// startStepFunctionsServer(runtime, { host?, port? }) serves those ten operations over the
// AWS JSON 1.0 wire protocol on loopback (a free port by default).
//
// As in AWS: StartExecution with a name in use answers the same execution while it runs
// with the same input, ExecutionAlreadyExists otherwise; answering a closed token is
// TaskTimedOut, an unknown one TaskDoesNotExist, a malformed one InvalidToken; retries
// follow IntervalSeconds × BackoffRate^n capped by MaxDelaySeconds, JitterStrategy FULL
// picks uniformly below that; task TimeoutSeconds is unlimited unless set.
// Not emulated: HeartbeatSeconds (SendTaskHeartbeat only checks the token), `$$.State`,
// `$$.Execution.Input` inside Parallel / Map branches (the library gives the branch input),
// JSONata, Activities, Express workflows, redrive, and the history's TaskScheduled /
// TaskStarted / TaskSucceeded events.
export { createStepFunctionsRuntime } from './runtime.ts';
export type { CreateLocalStateMachineInput, StepFunctionsRuntime, StepFunctionsRuntimeOptions } from './runtime.ts';
export { startStepFunctionsServer } from './server.ts';
export type { StepFunctionsServer } from './server.ts';
export type { TaskContext, TaskHandler } from './task-state.ts';
export type { JsonValue } from './definition.ts';
