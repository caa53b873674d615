import { Command, CommanderError } from 'commander';
import { runMain } from '../lib/main';
import { registerAlertCommand } from './alert-command';
import { registerDirectoryCommands } from './directory-commands';
import { registerFactorCommands } from './factor-commands';
import { registerOperatorCommands } from './operator-commands';
import { registerPolicyCommands } from './policy-commands';
import { registerReportCommand } from './report-command';
import { registerStatsCommand } from './stats-command';
import { registerSuppressionCommands } from './suppression-commands';

/** The `vouch` command (`npm run vouch -- <command>`, or `npx vouch` once installed). */
const program = new Command('vouch')
  .description('Vouch: verify security alerts with the people who triggered them.')
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
