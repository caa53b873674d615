import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { runMain } from '../lib/main';
import { registerAlertCommand } from './alert-command';
import { registerDirectoryCommands } from './directory-commands';
import { registerFactorCommands } from './factor-commands';
import { registerOperatorCommands } from './operator-commands';
import { registerPolicyCommands } from './policy-commands';
import { registerReportCommand } from './report-command';
import { addSourceTestCommand } from './source-test-command';
import { registerStatsCommand } from './stats-command';
import { registerSuppressionCommands } from './suppression-commands';
import { registerVerifyCommands } from './verify-commands';
import { exitQuietlyOnClosedStdout } from './output';

/** The `vouch` command (`npx vouch <command>`, or `npm run -s vouch -- <command>`). */
exitQuietlyOnClosedStdout();
const program = new Command('vouch')
  .description('Vouch: verify security alerts with the people who triggered them.')
  .version(packageVersion(), '-V, --version', 'print the version of Vouch')
  .showHelpAfterError()
  .exitOverride();
registerAlertCommand(program);
registerOperatorCommands(program);
registerPolicyCommands(program);
registerSuppressionCommands(program);
registerReportCommand(program);
registerStatsCommand(program);
registerFactorCommands(program);
registerDirectoryCommands(program);
registerVerifyCommands(program);
addSourceTestCommand(
  program
    .command('source')
    .description('The SIEMs that call Vouch with their own webhook body, mapped to alerts by sources.yml.')
    .addHelpText('after', '\nMappings: see README, "Source mappings", and examples/sources.yml.'),
);

runMain(async () => {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
});

/** The version in Vouch's package.json: next to cli/ in the source tree, one level higher in dist/. */
function packageVersion(): string {
  for (const dir of [path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'vouch' && pkg.version) return pkg.version;
  }
  return 'unknown';
}
