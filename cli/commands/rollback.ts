// `bluegreen rollback <service>`: traffic back to the last good release.
import { signalCommand } from './signal.ts';

export const rollback = signalCommand(
  'rollback',
  'roll back: traffic back to the last good release',
  [
    'Answers the running deployment\'s open wait with rollback: traffic goes back to the last good release and the',
    'new release is deleted (during retention, the old release serves again). Refused with NothingToRollBack when',
    'no wait is open.',
  ].join('\n'),
);
