// Which Loki data source the annotation text links its log search to: the default one, else the first listed.
import { getDataSourceSrv } from '@grafana/runtime';

export function defaultLokiUid(): string | undefined {
  let list: Array<{ uid: string; isDefault?: boolean }>;
  try {
    list = getDataSourceSrv().getList({ type: 'loki' });
  } catch {
    // No data source service (a stand-in without one): annotations still carry the LogQL, only not the link.
    return undefined;
  }
  return (list.find((d) => d.isDefault) ?? list[0])?.uid;
}
