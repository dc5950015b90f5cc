// Grafana's annotation tooltip body, as strict as Grafana: title and text are each rendered as HTML after
// `textUtil.sanitize` (grafana/grafana public/app/plugins/panel/timeseries/plugins/annotations2/AnnotationTooltipBody.tsx),
// tags as Tag components below. The host page must show exactly what Grafana would show, markup included.
import React from 'react';
import { textUtil } from '@grafana/data';
import { Stack, Tag } from '@grafana/ui';

export interface AnnotationTooltipProps {
  title?: string;
  text?: string;
  tags?: string[];
}

export function AnnotationTooltipBody({ title, text, tags }: AnnotationTooltipProps) {
  return (
    <div data-testid="annotation-tooltip">
      {/* Grafana's own rendering, reproduced on purpose: the stand-in must be as permissive as Grafana is. */}
      {title && <div dangerouslySetInnerHTML={{ __html: textUtil.sanitize(title) }} />}
      {text && <div data-testid="annotation-text" dangerouslySetInnerHTML={{ __html: textUtil.sanitize(text) }} />}
      <div>
        <Stack gap={0.5} wrap={true}>
          {tags?.length ? tags.map((t, i) => <Tag data-testid="annotation-tag" name={t} key={`${t}-${i}`} />) : null}
        </Stack>
      </div>
    </div>
  );
}
