// Refuses to run the suite under a Node older than 22.12: vitest and
// aws-local-stepfunctions misbehave there in misleading ways.
export default function setup(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    throw new Error(`tests need Node >= 22.12, this is ${process.versions.node}: run them with npm test`);
  }
}
