// Reading one work pool hangs until a connection timeout while the other routes answer normally.
import { isReadWorkPool } from '../toolkit/families';
import { detectFamilySlow } from '../toolkit/familySlow';
import type { Detector } from '../types';

export const readWorkPoolHang: Detector = {
  id: 'read-work-pool-hang',
  detect: (input) =>
    detectFamilySlow(input, {
      id: 'read-work-pool-hang',
      familyName: 'work-pool read routes',
      isMember: isReadWorkPool,
      threshold: (i) => i.settings.poolTimeoutSeconds,
      thresholdName: 'pool_timeout',
    }),
};
