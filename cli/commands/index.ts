// Every command of `bluegreen`, in the order `bluegreen --help` lists them.
import type { Command } from '../command.ts';
import { abort } from './abort.ts';
import { deploy } from './deploy.ts';
import { history } from './history.ts';
import { planCommand } from './plan.ts';
import { promote } from './promote.ts';
import { rehearseCommand } from '../rehearse.ts';
import { rollback } from './rollback.ts';
import { status } from './status.ts';
import { validate } from './validate.ts';

export const COMMANDS: Command[] = [status, planCommand, deploy, promote, rollback, abort, history, validate, rehearseCommand];
