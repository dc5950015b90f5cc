import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';

interface Props {
  label: string;
  text: string;
}

/** A block of text to paste elsewhere (an environment line, Helm values, SQL), with a copy button. */
export function CopyableSnippet({ label, text }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.wrapper}>
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Text variant="bodySmall" color="secondary">
          {label}
        </Text>
        <ClipboardButton
          size="sm"
          variant="secondary"
          icon="copy"
          fill="text"
          getText={() => text}
          aria-label={`Copy ${label}`}
        >
          Copy
        </ClipboardButton>
      </Stack>
      <pre className={styles.pre}>{text}</pre>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ marginTop: theme.spacing(1) }),
  pre: css({
    margin: 0,
    padding: theme.spacing(1),
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
