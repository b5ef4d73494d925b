// Fails clearly when npm runs a script under a Node older than 22.12.
// The `node@22` devDependency puts Node 22 first on the PATH of npm scripts;
// this guard catches a missing install or a shell that bypassed npm.
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
const ok = major > 22 || (major === 22 && minor >= 12);
if (!ok) {
  if (process.argv.includes('--install')) process.exit(0); // npm ci itself brings Node 22 in
  console.error(
    `bluegreen needs Node >= 22.12 but this is Node ${process.versions.node} (${process.execPath}).\n` +
      'Run it through npm (npm test, npm start), which puts the node@22 devDependency first on the PATH,\n' +
      'and run `npm ci` first if node_modules/.bin/node is missing.',
  );
  process.exit(1);
}
