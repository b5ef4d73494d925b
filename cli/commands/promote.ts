// `bluegreen promote <service>`: the candidate takes all traffic.
import { signalCommand } from './signal.ts';

export const promote = signalCommand(
  'promote',
  'promote the candidate: all traffic to the new release',
  [
    'Answers the running deployment\'s open promotion (or bake) wait with promote: the new release takes all traffic',
    'and the old one is kept for the retention window. Refused with NothingToPromote when no such wait is open.',
  ].join('\n'),
);
