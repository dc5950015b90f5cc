// The flow runs page (filter/paginate) is slow on its own: a query plan or index problem, not the whole server.
import { isRunsPage } from '../toolkit/families';
import { detectFamilySlow, STATEMENT_TIMEOUT } from '../toolkit/familySlow';
import type { Detector } from '../types';

export const runsPageSlow: Detector = {
  id: 'runs-page-slow',
  detect: (input) =>
    detectFamilySlow(input, {
      id: 'runs-page-slow',
      familyName: 'runs-page routes',
      isMember: isRunsPage,
      threshold: (i) => i.settings.uiPatienceSeconds,
      thresholdName: 'UI patience',
      cutOff: STATEMENT_TIMEOUT,
    }),
};
