import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { Severity } from '../catalog/types';

const COLORS: Record<Severity, BadgeColor> = { critical: 'red', warning: 'orange', info: 'blue' };
const ICONS = { critical: 'exclamation-circle', warning: 'exclamation-triangle', info: 'info-circle' } as const;

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge color={COLORS[severity]} icon={ICONS[severity]} text={severity} />;
}
