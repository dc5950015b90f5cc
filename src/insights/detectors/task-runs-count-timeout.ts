// #19347: the task-run count queries behind the UI's dashboard outlast the user's patience while the rest is fine.
import { isTaskCount } from '../toolkit/families';
import { detectFamilySlow, STATEMENT_TIMEOUT } from '../toolkit/familySlow';
import type { Detector } from '../types';

export const taskRunsCountTimeout: Detector = {
  id: 'task-runs-count-timeout',
  detect: (input) =>
    detectFamilySlow(input, {
      id: 'task-runs-count-timeout',
      familyName: 'task-run count routes',
      isMember: isTaskCount,
      threshold: (i) => i.settings.uiPatienceSeconds,
      thresholdName: 'UI patience',
      cutOff: STATEMENT_TIMEOUT,
    }),
};
