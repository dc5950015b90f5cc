// The test host's drawing of annotation regions on a time-series panel. Grafana's timeseries panel draws them with a
// uPlot plugin that lives in Grafana's core, not on npm (grafana/grafana
// public/app/plugins/panel/timeseries/plugins/AnnotationsPlugin2.tsx); @grafana/ui's TimeSeries draws none. This
// follows what that plugin does, so the pictures show what a Grafana user sees: on uPlot's `draw` hook, clipped to the
// plot area, a dashed 2 px line at each event's time (and at its end for a region), the region filled in the event's
// colour at 10 % opacity; below the plot, a 5 px bar in that colour under each region (Grafana's hoverable marker).
// The events are the panel's `data.annotations`: what Scenes' annotation layer made of the data source's answer.
import { useLayoutEffect, useRef } from 'react';
import { colorManipulator, type DataFrame } from '@grafana/data';
import { DEFAULT_ANNOTATION_COLOR, useTheme2, type UPlotConfigBuilder } from '@grafana/ui';
import type uPlot from 'uplot';

interface Mark {
  time: number;
  timeEnd?: number;
  color: string;
}

/** The events of the annotation frames (time, timeEnd, isRegion, color fields, as Scenes processes them). */
export function annotationMarks(frames: DataFrame[], colorByName: (name: string) => string): Mark[] {
  const marks: Mark[] = [];
  for (const frame of frames) {
    const field = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    const time = field('time');
    if (!time) {
      continue;
    }
    const timeEnd = field('timeEnd');
    const isRegion = field('isRegion');
    const color = field('color');
    for (let i = 0; i < frame.length; i++) {
      const end = Number(timeEnd?.[i]);
      marks.push({
        time: Number(time[i]),
        timeEnd: isRegion?.[i] && Number.isFinite(end) && end > 0 ? end : undefined,
        color: colorByName(String(color?.[i] || DEFAULT_ANNOTATION_COLOR)),
      });
    }
  }
  return marks;
}

const MARKER_HEIGHT = 5;

function drawMarks(u: uPlot, marks: Mark[]) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const bottom = top + height;
  const line = (x: number, color: string) => {
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.strokeStyle = color;
    ctx.stroke();
  };
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.lineWidth = 2;
  ctx.setLineDash([5, 5]);
  for (const mark of marks) {
    const x0 = u.valToPos(mark.time, 'x', true);
    line(x0, mark.color);
    if (mark.timeEnd !== undefined) {
      const x1 = u.valToPos(mark.timeEnd, 'x', true);
      line(x1, mark.color);
      ctx.fillStyle = colorManipulator.alpha(mark.color, 0.1);
      ctx.fillRect(x0, top, x1 - x0, height);
    }
  }
  ctx.restore();
  // For the tests: how many regions this plot drew on its last draw.
  u.root.dataset.annotationRegions = String(marks.filter((m) => m.timeEnd !== undefined).length);
  // The marker row sits just below the plot area, over the x axis, as Grafana's marker elements do.
  for (const mark of marks) {
    if (mark.timeEnd === undefined) {
      continue;
    }
    const x0 = Math.max(left, u.valToPos(mark.time, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(mark.timeEnd, 'x', true));
    if (x1 > x0) {
      ctx.fillStyle = mark.color;
      ctx.fillRect(x0, bottom, x1 - x0, MARKER_HEIGHT * devicePixelRatio);
    }
  }
}

/** A TimeSeries child: registers the draw hook on the panel's uPlot config before the plot is created. */
export function AnnotationRegions({ config, annotations }: { config: UPlotConfigBuilder; annotations: DataFrame[] }) {
  const theme = useTheme2();
  const marks = useRef<Mark[]>([]);
  marks.current = annotationMarks(annotations, theme.visualization.getColorByName);
  // A layout effect runs before TimeSeries' plot is built from the config (children commit first), as in Grafana.
  useLayoutEffect(() => {
    config.addHook('draw', (u) => drawMarks(u, marks.current));
  }, [config]);
  return null;
}
