// A small, Grafana-looking rendering of real results for the README: the data source's p95-by-route series with its
// insight annotations as shaded regions and the first region's text beside it. Grafana's own time-series panel is not
// available outside Grafana, so the chart is drawn here; the numbers and the text are the plugin's, and the text is
// shown as Grafana's annotation tooltip renders it (host/annotationTooltip.tsx: sanitised HTML).
import React from 'react';
import { css } from '@emotion/css';
import { Badge, useTheme2 } from '@grafana/ui';
import { AnnotationTooltipBody } from './annotationTooltip';
import type { AnnotationEventView, FrameView } from './entry';

export interface HeroProps {
  title: string;
  frames: FrameView[];
  events: AnnotationEventView[];
  from: number;
  to: number;
}

const WIDTH = 1000;
const wrapCode = css({ '& code': { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } });
const HEIGHT = 300;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

function seriesOf(frame: FrameView): { name: string; points: Array<[number, number]> } {
  const time = frame.fields.find((f) => f.type === 'time');
  const value = frame.fields.find((f) => f.type === 'number');
  const points: Array<[number, number]> = [];
  (time?.values ?? []).forEach((t, i) => {
    const v = Number(value?.values[i]);
    if (Number.isFinite(v) && v > 0) {
      points.push([Number(t), v]);
    }
  });
  return { name: value?.displayName ?? frame.name ?? '', points };
}

function formatSeconds(v: number): string {
  return v >= 1 ? `${v} s` : `${Math.round(v * 1000)} ms`;
}

function formatTime(t: number): string {
  return new Date(t).toISOString().slice(11, 16);
}

export function HeroView({ title, frames, events, from, to }: HeroProps) {
  const theme = useTheme2();
  const series = frames.map(seriesOf).filter((s) => s.points.length > 0);
  const all = series.flatMap((s) => s.points.map((p) => p[1]));
  const min = Math.max(0.005, Math.min(...all));
  const max = Math.max(...all);
  const logMin = Math.log10(min);
  const logMax = Math.log10(max * 1.2);
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) =>
    PAD.top + (1 - (Math.log10(v) - logMin) / (logMax - logMin)) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = [0.01, 0.1, 1, 10, 30].filter((v) => v >= min && v <= max * 1.2);
  const hourTicks: number[] = [];
  for (let t = Math.ceil(from / 3_600_000) * 3_600_000; t <= to; t += 3_600_000) {
    hourTicks.push(t);
  }
  const colors = theme.visualization.palette.map((c) => theme.visualization.getColorByName(c));
  const regions = events.filter((e) => e.isRegion && e.time !== undefined && e.timeEnd !== undefined);
  const first = regions[0];
  const red = theme.visualization.getColorByName('red');

  return (
    <div
      style={{
        background: theme.colors.background.primary,
        border: `1px solid ${theme.colors.border.weak}`,
        borderRadius: theme.shape.radius.default,
        padding: theme.spacing(1.5),
        width: WIDTH + 24,
      }}
    >
      <div style={{ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(1) }}>{title}</div>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={title}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} stroke={theme.colors.border.weak} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" fontSize={11} fill={theme.colors.text.secondary}>
              {formatSeconds(v)}
            </text>
          </g>
        ))}
        {hourTicks.map((t) => (
          <text key={t} x={x(t)} y={HEIGHT - 8} textAnchor="middle" fontSize={11} fill={theme.colors.text.secondary}>
            {formatTime(t)}
          </text>
        ))}
        {regions.map((e, i) => (
          <g key={i}>
            <rect
              x={x(e.time!)}
              y={PAD.top}
              width={Math.max(2, x(e.timeEnd!) - x(e.time!))}
              height={HEIGHT - PAD.top - PAD.bottom}
              fill={red}
              fillOpacity={0.15}
            />
            <rect
              x={x(e.time!)}
              y={HEIGHT - PAD.bottom}
              width={Math.max(2, x(e.timeEnd!) - x(e.time!))}
              height={4}
              fill={red}
            />
          </g>
        ))}
        {series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={colors[i % colors.length]}
            strokeWidth={1.5}
            points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5, 2), fontSize: 12, marginTop: 4 }}>
        {series.map((s, i) => (
          <span key={s.name} style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
            <span style={{ width: 14, height: 4, background: colors[i % colors.length], display: 'inline-block' }} />
            {s.name}
          </span>
        ))}
      </div>
      {first && (
        <div
          data-testid="hero-annotation"
          style={{
            marginTop: theme.spacing(1.5),
            borderLeft: `3px solid ${red}`,
            background: theme.colors.background.secondary,
            padding: theme.spacing(1, 1.5),
            fontSize: 12,
          }}
        >
          <div style={{ display: 'flex', gap: 8, alignItems: 'center', marginBottom: 4 }}>
            <strong style={{ fontSize: 13 }}>{first.title}</strong>
            {(first.tags ?? []).slice(0, 2).map((t) => (
              <Badge key={t} text={t} color={t === 'critical' ? 'red' : 'orange'} />
            ))}
            <span style={{ color: theme.colors.text.secondary }}>
              {formatTime(first.time!)}–{formatTime(first.timeEnd!)} UTC
            </span>
          </div>
          {/* Grafana's tooltip scrolls a long inline `code` (its global style keeps code on one line); a still
              picture cannot, so here code wraps instead of running off the edge. */}
          <div className={wrapCode}>
            <AnnotationTooltipBody text={first.text} />
          </div>
        </div>
      )}
    </div>
  );
}
