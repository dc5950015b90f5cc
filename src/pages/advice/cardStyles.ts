// The frame both advice cards share: a bordered box that can be scrolled to and highlighted when the page is opened
// at it (`?insight=<id>`). Each card adds its own background.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

export const getCardStyles = (theme: GrafanaTheme2) => ({
  card: css({
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    scrollMarginTop: theme.spacing(8),
  }),
  highlighted: css({
    borderColor: theme.colors.primary.border,
    boxShadow: theme.shadows.z2,
  }),
});
